"""The first risk criteria version: 5x5 scales and four levels, so every installation can assess from day one."""

from django.db import migrations


def create_default(apps, schema_editor):
    from risks.models import DEFAULT_IMPACT, DEFAULT_LEVELS, DEFAULT_LIKELIHOOD

    criteria = apps.get_model("risks", "RiskCriteria")
    if criteria.objects.exists():
        return
    criteria.objects.create(
        version=1,
        name="Default 5x5 criteria",
        likelihood_scale=DEFAULT_LIKELIHOOD,
        impact_scale=DEFAULT_IMPACT,
        levels=DEFAULT_LEVELS,
        in_force=True,
        note="Installed by default: low and medium residual risks are the owner's to accept, high and critical "
        "the committee's.",
    )


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
