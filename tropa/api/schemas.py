"""What the API sends and accepts. Nothing here names a person: no identity, no notes, no
alert or support details (free text that may carry names is written through the API, never
read back). Inputs are validated again by the browser's own forms."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

CODE = "0b8f4c2e-5d1a-4e8b-9c3f-2a7d6e1f0b9c"


class Error(Schema):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["Nothing was found at this address."])
    fields: dict[str, list[str]] | None = Field(
        default=None, examples=[{"title": ["This field is required."]}]
    )


class CaseOut(Schema):
    code: uuid.UUID = Field(examples=[CODE])
    pseudonym: str = Field(examples=["Funker"])
    stage: str = Field(examples=["intake"])
    risk: str = Field(examples=["high"])
    country: str = Field(examples=["KZ"])
    city: str = Field(examples=["Astana"])
    has_active_alert: bool
    assignee: uuid.UUID | None = Field(description="the assignee's account code")
    next_action: str
    next_action_on: date | None
    arrived_on: date | None
    created_at: datetime
    updated_at: datetime


class CasePageOut(Schema):
    results: list[CaseOut]
    count: int = Field(examples=[1234])
    next: str | None = Field(description="pass as ?cursor= for the next page")
    previous: str | None = Field(description="pass as ?cursor= for the page before")


class TaskOut(Schema):
    code: uuid.UUID
    case: uuid.UUID
    title: str = Field(examples=["Buy a SIM card"])
    due_on: date | None
    assignee: uuid.UUID | None
    done: bool
    overdue: bool


class NeedOut(Schema):
    code: uuid.UUID
    kind: str = Field(examples=["lodging"])
    details: str = Field(examples=["for a family of 3"])
    met: bool


class AlertOut(Schema):
    code: uuid.UUID
    case: uuid.UUID
    kind: str = Field(examples=["detained"])
    raised_at: datetime
    resolved_at: datetime | None


class SupportOut(Schema):
    kind: str = Field(examples=["money_out"])
    given_on: date
    amount: Decimal | None
    currency: str


class CaseDetailOut(CaseOut):
    tasks: list[TaskOut]
    needs: list[NeedOut]
    alerts: list[AlertOut]
    support: list[SupportOut]
    notes: int = Field(description="how many notes (their text is not served)")


class CaseIn(Schema):
    pseudonym: str = Field(examples=["Funker"], description="a nickname, never the real name")
    country: str = Field(examples=["KZ"])
    city_code: str = ""
    city: str = ""
    arrived_on: date | None = None
    risk: str = Field(default="medium", examples=["high"])
    assignee: uuid.UUID | None = None
    next_action: str = ""
    next_action_on: date | None = None
    same_pseudonym: bool = Field(
        default=False, description="true: create it even if another case has this pseudonym"
    )


class StageIn(Schema):
    stage: str = Field(examples=["vetting"])
    reason: str = Field(default="", description="required when the stage is closed")


class NoteIn(Schema):
    text: str = Field(examples=["Called back, will come on Monday."])


class NoteOut(Schema):
    created_at: datetime


class TaskIn(Schema):
    title: str = Field(examples=["Buy a SIM card"])
    due_on: date | None = None
    assignee: uuid.UUID | None = None


class NeedIn(Schema):
    kind: str = Field(examples=["lodging"])
    details: str = Field(default="", description="logistics only, never a name")


class SupportIn(Schema):
    kind: str = Field(examples=["money_out"])
    given_on: date
    amount: Decimal | None = None
    currency: str = ""
    details: str = ""


class AlertIn(Schema):
    kind: str = Field(examples=["detained"])
    details: str = ""


class InstitutionOut(Schema):
    code: uuid.UUID
    name: str = Field(examples=["Embassy of Germany in Astana"])
    kind: str = Field(examples=["embassy"])
    country: str = Field(examples=["DE"])
    city: str


class RequestOut(Schema):
    code: uuid.UUID
    institution: uuid.UUID
    case: uuid.UUID | None
    status: str = Field(examples=["pending"])
    sent_on: date
    answered_on: date | None


class AnswerIn(Schema):
    status: str = Field(examples=["granted"])
    on: date
    referred_to: str = ""
    note: str = ""


class HitOut(Schema):
    code: uuid.UUID
    status: str = Field(examples=["undecided"])
