"""Forms for governance records."""

from django import forms

from aims.governance.models import OrganisationProfile


class OrganisationProfileForm(forms.ModelForm):
    reason = forms.CharField(
        max_length=200, required=False, help_text="Why you are making this change (kept in the history)."
    )

    class Meta:
        model = OrganisationProfile
        fields = ["name", "legal_name", "sector", "country", "purpose", "aims_contact_email"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}


class DecisionRequestForm(forms.Form):
    note = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
