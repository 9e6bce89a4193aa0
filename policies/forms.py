"""Forms of the policies pages: requesting a publication and deciding one."""

from django import forms


class PublicationRequestForm(forms.Form):
    note = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this revision should be published (shown to the committee).",
    )


class PublicationDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve and publish"), ("reject", "Reject")])
    rationale = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Required to reject."
    )
