"""Django admin for data admins: reading and correcting rows. Merges and triage go through the pages,
which call the services (the audit trail and rules live there), so those fields are read-only here."""

from django.contrib import admin

from referrals.models import ContactAttempt, Episode, Person, Referral


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["client_id", "family_name", "given_name", "date_of_birth", "nhs_number", "merged_into"]
    search_fields = ["client_id", "family_name", "given_name", "nhs_number"]
    list_filter = ["sex"]
    readonly_fields = ["client_id", "merged_into", "created_at", "created_by", "version"]


class ContactAttemptInline(admin.TabularInline):
    model = ContactAttempt
    extra = 0
    readonly_fields = ["made_on", "method", "notes", "recorded_by", "recorded_at"]
    can_delete = False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["episode_id", "person", "received_on", "team", "status", "first_contact_due"]
    list_filter = ["status", "service", "team"]
    search_fields = ["episode_id", "person__client_id", "person__family_name"]
    raw_id_fields = ["person"]
    readonly_fields = ["episode_id", "status", "triaged_on", "triaged_by", "created_by", "version"]
    inlines = [ContactAttemptInline]


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ["episode_id", "person", "team", "opened_on", "discharged_on"]
    list_filter = ["team"]
    search_fields = ["episode_id", "person__client_id", "person__family_name"]
    raw_id_fields = ["person", "referral"]
    readonly_fields = ["episode_id", "version"]
