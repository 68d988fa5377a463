from django import forms
from django.utils import timezone

from core.models import Sex
from core.widgets import NhsDateField
from harm_reduction.models import EquipmentItem, InjectedDrug, NspSite


class NspVisitForm(forms.Form):
    """One page, in the order a worker asks: who, where, what came back, what went out, what was said."""

    initials = forms.CharField(max_length=20, help_text="First and last initial, for example JS.")
    date_of_birth = NhsDateField()
    sex = forms.ModelChoiceField(queryset=Sex.objects.filter(active=True), empty_label=None)
    site = forms.ModelChoiceField(queryset=NspSite.objects.filter(active=True), empty_label=None)
    visited_on = NhsDateField(label="Date of visit")
    items_returned = forms.IntegerField(label="Used items returned", min_value=0, initial=0)
    sharps_bins_returned = forms.IntegerField(min_value=0, initial=0)
    drugs_injected = forms.ModelMultipleChoiceField(
        queryset=InjectedDrug.objects.filter(active=True), required=False, widget=forms.CheckboxSelectMultiple
    )
    advice_given = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    onward_referral_offered = forms.BooleanField(required=False)
    young_peoples_service_offered = forms.BooleanField(
        label="Young people's service offered (required if under 18)", required=False
    )
    under_18_issue_reason = forms.CharField(
        label="Reason for giving equipment to someone under 18",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(EquipmentItem.objects.filter(active=True))
        for item in self.items:
            self.fields[f"item_{item.code}"] = forms.IntegerField(label=item.label, min_value=0, required=False)
        self.fields["visited_on"].initial = timezone.localdate()

    def issues(self) -> list[tuple]:
        return [(item, self.cleaned_data.get(f"item_{item.code}") or 0) for item in self.items]
