"""Stable snake_case codes shared by requests, events, views and docs."""

from __future__ import annotations

from enum import StrEnum


class SubjectKind(StrEnum):
    ENTERPRISE = "enterprise"
    INDIVIDUAL_BUSINESS = "individual_business"
    FARMER_COOPERATIVE = "farmer_cooperative"
    SOCIAL_ORGANISATION = "social_organisation"
    PUBLIC_INSTITUTION = "public_institution"
    GOVERNMENT_BODY = "government_body"
    NATURAL_PERSON = "natural_person"
    PROFESSIONAL = "professional"
    # The legal professions' institutions (plan §12), registered by the justice bureau (3x).
    LAW_FIRM = "law_firm"
    NOTARY_OFFICE = "notary_office"
    LEGAL_SERVICE_OFFICE = "legal_service_office"
    FORENSIC_INSTITUTION = "forensic_institution"


PERSON_KINDS = frozenset({SubjectKind.NATURAL_PERSON, SubjectKind.PROFESSIONAL})


class Profession(StrEnum):
    """The legal professions a `professional` subject may carry (plan §12)."""

    LAWYER = "lawyer"
    NOTARY = "notary"
    GRASSROOTS_LEGAL_WORKER = "grassroots_legal_worker"
    LEGAL_AID_WORKER = "legal_aid_worker"
    FORENSIC_APPRAISER = "forensic_appraiser"


class ListName(StrEnum):
    RED = "red"
    BLACK = "black"
    KEY_ATTENTION = "key_attention"


class Severity(StrEnum):
    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"


class CommitmentType(StrEnum):
    APPROVAL_SUBSTITUTE = "approval_substitute"
    MISSING_DOCUMENTS = "missing_documents"
    VOLUNTARY = "voluntary"
    INDUSTRY = "industry"
    REPAIR = "repair"


class DelistReason(StrEnum):
    EXPIRED = "expired"
    REPAIRED = "repaired"
    REVOKED = "revoked"
    ERROR = "error"


class PrincipalRole(StrEnum):
    LEGAL_REPRESENTATIVE = "legal_representative"
    PRINCIPAL_OFFICER = "principal_officer"
    RESPONSIBLE_PERSON = "responsible_person"


class Domain(StrEnum):
    PRODUCTION = "production"
    CIRCULATION = "circulation"
    FINANCE = "finance"
    TRANSPORT = "transport"
    E_COMMERCE = "e_commerce"
    CONSTRUCTION = "construction"
    PROCUREMENT_BIDDING = "procurement_bidding"
    PRICE = "price"
    TAX = "tax"
    TOURISM = "tourism"
    INTERMEDIARY_ADVERTISING = "intermediary_advertising"
    STATISTICS = "statistics"
    HEALTH = "health"
    SOCIAL_SECURITY = "social_security"
    CULTURE_EDUCATION_SCIENCE = "culture_education_science"
    INTELLECTUAL_PROPERTY = "intellectual_property"
    ENVIRONMENT = "environment"
    JUDICIAL = "judicial"
    PUBLIC_SECURITY = "public_security"
    FALSE_CERTIFICATION = "false_certification"


# -- the states of what is recorded (aggregate state; views keep their own codes) --------


class PermitStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"


class PenaltyStatus(StrEnum):
    PUBLIC = "public"  # shown in the publicity window
    REVOKED = "revoked"
    ENDED = "ended"  # publicity ended (repaired, or its maximum reached)


class CommitmentStatus(StrEnum):
    MADE = "made"
    FULFILLED = "fulfilled"
    BREACHED = "breached"


class RepairStatus(StrEnum):
    APPLIED = "applied"
    REFUSED = "refused"
    ACCEPTED = "accepted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class JointStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class JointKind(StrEnum):
    INCENTIVE = "incentive"  # a red listing
    PUNISHMENT = "punishment"  # a black or key-attention listing


class MeasureKind(StrEnum):
    """What a credit check's measure does to the subject (ledger/domain/scenarios.py)."""

    RESTRICT = "restrict"  # a restriction on the dishonest (失信约束)
    INCENTIVE = "incentive"  # a convenience for the trustworthy (守信激励)
# -- government integrity (plan §9, §12, §16) ---------------------------------------------

# Where a government's own defaults are recorded: its organs and public institutions.
GOVERNMENT_KINDS = frozenset({SubjectKind.GOVERNMENT_BODY, SubjectKind.PUBLIC_INSTITUTION})
LEGAL_INSTITUTION_KINDS = frozenset({SubjectKind.LAW_FIRM, SubjectKind.NOTARY_OFFICE,
                                     SubjectKind.LEGAL_SERVICE_OFFICE,
                                     SubjectKind.FORENSIC_INSTITUTION})


class CivilServantRecordKind(StrEnum):
    """What a civil servant's integrity file (公务员诚信档案) records."""

    COMMENDATION = "commendation"
    SANCTION = "sanction"
    DISHONESTY = "dishonesty"
    INTEGRITY_COMMITMENT = "integrity_commitment"


class GovernmentDefaultKind(StrEnum):
    """A government body's own default (政务失信)."""

    ARREARS = "arrears"  # owed to enterprises
    AGREEMENT_UNFULFILLED = "agreement_unfulfilled"  # investment and other agreements
    JUDGEMENT_UNEXECUTED = "judgement_unexecuted"
    OTHER = "other"


class GovernmentDefaultStatus(StrEnum):
    OPEN = "open"
    RECTIFIED = "rectified"
