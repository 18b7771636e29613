"""Who may do what: one table from role to permissions, read by every route guard."""

from enum import StrEnum

from app.models.enums import Role


class Permission(StrEnum):
    INCIDENT_READ = "incident:read"
    INCIDENT_WRITE = "incident:write"
    INCIDENT_VERIFY = "incident:verify"  # change verification status, link duplicates
    LINKED_INCIDENT_READ = "incident:read_linked"  # only incidents linked to a judicial case
    IDENTITY_READ = "identity:read"  # survivor identifying details, own organisation only
    IDENTITY_WRITE = "identity:write"
    STATS_READ = "stats:read"
    ARMED_PARTY_READ = "armed_party:read"
    ARMED_PARTY_WRITE = "armed_party:write"
    JUDICIAL_READ = "judicial:read"
    JUDICIAL_WRITE = "judicial:write"
    COURT_WRITE = "court:write"  # add a court to the shared registry
    COURT_ADMIN = "court:admin"  # rename or delete one: it is every organisation's
    USER_ADMIN = "user:admin"  # accounts of the caller's own organisation only
    ORGANISATION_ADMIN = "organisation:admin"  # create organisations and their admins
    AUDIT_READ = "audit:read"
    SERVICE_READ = "service:read"  # the directory of service points: no survivor data
    SERVICE_WRITE = "service:write"  # the caller's organisation's service points
    # A survivor's referrals (own organisation), and those made to the organisation's service
    # points (de-identified)
    REFERRAL_READ = "referral:read"
    REFERRAL_WRITE = "referral:write"
    # Partners' aggregate tables of the caller's organisation (anonymous counts, no records)
    AGGREGATE_READ = "aggregate:read"
    AGGREGATE_WRITE = "aggregate:write"
    # The organisation's boundaries of a country's regions, for the map (no survivor data)
    MAP_WRITE = "map:write"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PROTECTION_ADVISER: frozenset(
        {
            Permission.INCIDENT_READ,
            Permission.INCIDENT_WRITE,
            Permission.INCIDENT_VERIFY,
            Permission.IDENTITY_READ,
            Permission.IDENTITY_WRITE,
            Permission.STATS_READ,
            Permission.ARMED_PARTY_READ,
            Permission.ARMED_PARTY_WRITE,
            Permission.JUDICIAL_READ,
            Permission.SERVICE_READ,
            Permission.SERVICE_WRITE,
            Permission.REFERRAL_READ,
            Permission.REFERRAL_WRITE,
            Permission.AGGREGATE_READ,
            Permission.AGGREGATE_WRITE,
            Permission.MAP_WRITE,
        }
    ),
    # Statistics only: never a single incident, never identifying data.
    # Partners' tables are anonymous counts: report writers read their organisation's.
    Role.REPORT_WRITER: frozenset(
        {
            Permission.STATS_READ,
            Permission.ARMED_PARTY_READ,
            Permission.SERVICE_READ,
            Permission.AGGREGATE_READ,
        }
    ),
    # Cases and the incidents linked to them; never survivor identity.
    Role.JUDICIAL_TRACKER: frozenset(
        {
            Permission.JUDICIAL_READ,
            Permission.JUDICIAL_WRITE,
            Permission.COURT_WRITE,
            Permission.LINKED_INCIDENT_READ,
            Permission.ARMED_PARTY_READ,
            Permission.SERVICE_READ,
        }
    ),
    # Runs its organisation's accounts; sees no survivor data unless also given an adviser role.
    Role.ADMIN: frozenset(
        {
            Permission.USER_ADMIN,
            Permission.AUDIT_READ,
            Permission.COURT_WRITE,
            Permission.ARMED_PARTY_READ,
            Permission.ARMED_PARTY_WRITE,
            Permission.SERVICE_READ,
            Permission.SERVICE_WRITE,
            # Records a partner's table on its organisation's behalf (e.g. GBVIMS consolidated)
            Permission.AGGREGATE_READ,
            Permission.AGGREGATE_WRITE,
            # Uploads the boundaries its report writers' map is drawn on
            Permission.MAP_WRITE,
        }
    ),
    # Runs the registry, not an organisation: no account management inside organisations, no
    # audit trail, no survivor data. Granted only by the command line.
    Role.SYSTEM_ADMIN: frozenset(
        {
            Permission.ORGANISATION_ADMIN,
            Permission.COURT_WRITE,
            Permission.COURT_ADMIN,
            Permission.SERVICE_READ,
        }
    ),
}

# Roles granted only by the command line, never through the API.
COMMAND_LINE_ROLES = frozenset({Role.SYSTEM_ADMIN})
# An organisation's first admin, made by the system role: the only role it may hand out.
ROLES_THE_SYSTEM_ROLE_GRANTS = frozenset({Role.ADMIN})


def reads_identity(role: Role) -> bool:
    """Whether holding `role` opens survivors' identifying details (granting it is audited)."""
    return Permission.IDENTITY_READ in ROLE_PERMISSIONS[role]


def permissions_for(roles: list[Role]) -> frozenset[Permission]:
    granted: frozenset[Permission] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return granted
