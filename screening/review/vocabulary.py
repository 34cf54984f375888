"""Alert states, decision outcomes and the reason codes analysts choose from."""

from __future__ import annotations

from enum import StrEnum

from screening.review.errors import ValidationError


class Status(StrEnum):
    """Where an alert is in its review."""

    OPEN = "open"
    IN_REVIEW = "in_review"
    PENDING_APPROVAL = "pending_approval"  # four-eyes: waits for a second person
    CLOSED = "closed"  # with the outcome of the decision that closed it
    ESCALATED = "escalated"
    SUPPRESSED = "suppressed"  # an approved whitelist entry covers it; still recorded


class Outcome(StrEnum):
    """What an analyst decides about an alert."""

    TRUE_MATCH = "true_match"
    FALSE_POSITIVE = "false_positive"
    ESCALATE = "escalate"


# code -> (outcome it belongs to, meaning shown to analysts)
REASON_CODES: dict[str, tuple[Outcome, str]] = {
    "FP_DOB_MISMATCH": (Outcome.FALSE_POSITIVE, "Date of birth differs from the listed person"),
    "FP_NATIONALITY": (Outcome.FALSE_POSITIVE, "Nationality or country differs"),
    "FP_IDENTIFIER_MISMATCH": (Outcome.FALSE_POSITIVE, "Identity document numbers differ"),
    "FP_DIFFERENT_ENTITY": (
        Outcome.FALSE_POSITIVE, "Other identifying data show a different person or entity"
    ),
    "FP_ENTITY_TYPE": (
        Outcome.FALSE_POSITIVE, "Different kind of party (person vs organisation or vessel)"
    ),
    "FP_COMMON_NAME": (
        Outcome.FALSE_POSITIVE, "Common name; no other data point matches the listing"
    ),
    "FP_LOCATION_WORD": (
        Outcome.FALSE_POSITIVE, "The matched word is a place or generic word, not a name"
    ),
    "TM_CONFIRMED": (Outcome.TRUE_MATCH, "Name and supporting data confirm the listed party"),
    "TM_IDENTIFIER": (Outcome.TRUE_MATCH, "An identity document or identifier matches"),
    "TM_ALIAS": (Outcome.TRUE_MATCH, "Matches a listed alias, confirmed by supporting data"),
    "ESC_NEED_INFO": (Outcome.ESCALATE, "More information is needed from the reporting entity"),
    "ESC_POSSIBLE_MATCH": (Outcome.ESCALATE, "Possible match that cannot be verified here"),
    "ESC_SENIOR_REVIEW": (Outcome.ESCALATE, "Needs senior management or legal review"),
}


def parse_outcome(value: str) -> Outcome:
    """An Outcome from its name, or ValidationError listing the valid names."""
    try:
        return Outcome(value)
    except ValueError:
        raise ValidationError(
            f"unknown outcome {value!r}; use one of {', '.join(o.value for o in Outcome)}"
        ) from None


def check_reason(outcome: Outcome, reason_code: str) -> str:
    """The reason code when it exists and belongs to the outcome, else ValidationError."""
    entry = REASON_CODES.get(reason_code)
    allowed = sorted(code for code, (o, _) in REASON_CODES.items() if o is outcome)
    if entry is None or entry[0] is not outcome:
        raise ValidationError(
            f"reason code {reason_code!r} is not valid for {outcome}; use one of "
            f"{', '.join(allowed)}"
        )
    return reason_code


def check_comment(comment: str | None, what: str) -> str:
    """A non-empty, trimmed comment (at most 4000 characters), else ValidationError."""
    text = (comment or "").strip()
    if not text:
        raise ValidationError(f"a comment is required to {what}")
    if len(text) > 4000:
        raise ValidationError("the comment is longer than 4000 characters")
    return text
