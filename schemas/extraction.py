"""The output contract (../shared/SCHEMA.md, schema version 1) as Pydantic models.

Amounts are Decimal and serialise to JSON as decimal strings, which the contract allows, so that
no figure is ever rounded through a float.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.document import BBox, SourceInfo

SCHEMA_VERSION = 1

ReportType = Literal["performance_self_evaluation", "final_accounts", "budget", "project_self_evaluation"]
Grade = Literal["优", "良", "中", "差"]
Severity = Literal["error", "warning", "info"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Meta(_Part):
    department: str | None = Field(None, description="reporting body, full name as printed")
    region: str | None = Field(None, description="administrative area of that body, e.g. 怀化市洪江区")
    fiscal_year: int | None = Field(None, description="year reported on, not the year written")
    report_type: ReportType | None = None
    report_date: date | None = Field(None, description="date on the report")
    budget_code: str | None = Field(None, description="预算编码")


class Staffing(_Part):
    authorized: int | None = Field(None, description="编制人数 / 编制数, all kinds of posts together")
    actual: int | None = Field(None, description="实有人数 / 在职人数 at year end")


class Budget(_Part):
    """The department as a whole, in 万元."""

    initial: Decimal | None = Field(None, description="年初预算数, 万元")
    adjusted: Decimal | None = Field(None, description="全年预算数 / 调整后预算, 万元")
    spent: Decimal | None = Field(None, description="全年执行数 / 决算支出 / 本年支出合计, 万元")
    execution_rate: Decimal | None = Field(None, description="预算执行率, percent (99.93 for 99.93%)")
    basic: Decimal | None = Field(None, description="基本支出 (spent), 万元")
    project: Decimal | None = Field(None, description="项目支出 (spent), 万元")


class ThreePublicAmounts(_Part):
    total: Decimal | None = Field(None, description="三公经费合计, 万元")
    overseas: Decimal | None = Field(None, description="因公出国(境)费, 万元")
    vehicle_purchase: Decimal | None = Field(None, description="公务用车购置费, 万元")
    vehicle_operation: Decimal | None = Field(None, description="公务用车运行维护费, 万元")
    reception: Decimal | None = Field(None, description="公务接待费, 万元")


class ThreePublic(_Part):
    budget: ThreePublicAmounts = Field(default_factory=ThreePublicAmounts)
    actual: ThreePublicAmounts = Field(default_factory=ThreePublicAmounts)


class Evaluation(_Part):
    score: Decimal | None = Field(None, description="自评总分 of the department as a whole")
    grade: Grade | None = Field(None, description="优, 良, 中 or 差 (较差 counts as 中)")


class Indicator(_Part):
    level1: str | None = Field(None, description="一级指标, e.g. 产出指标")
    level2: str | None = Field(None, description="二级指标, e.g. 数量指标")
    name: str | None = Field(None, description="三级指标")
    target: str | None = Field(None, description="年度指标值 as printed, e.g. ≥100 人次")
    actual: str | None = Field(None, description="实际完成值 as printed")
    weight: Decimal | None = Field(None, description="分值")
    score: Decimal | None = Field(None, description="得分")


class Project(_Part):
    name: str | None = None
    budget: Decimal | None = Field(None, description="全年预算数, 万元")
    spent: Decimal | None = Field(None, description="全年执行数, 万元")
    execution_rate: Decimal | None = Field(None, description="执行率, percent")
    score: Decimal | None = Field(None, description="总分")
    indicators: list[Indicator] = Field(default_factory=list)


class StatementRow(_Part):
    code: str | None = Field(None, description="科目编码 such as 2080101")
    name: str | None = Field(None, description="科目名称 or 项目, without leading list numbering")
    values: dict[str, Decimal | None] = Field(default_factory=dict, description="column name to number")


class StatementTable(_Part):
    title: str | None = None
    unit: str | None = Field(None, description="万元 or 元, as the table prints it")
    columns: list[str] = Field(default_factory=list)
    rows: list[StatementRow] = Field(default_factory=list)


class Evidence(_Part):
    page: int | None = Field(None, description="1-based page")
    bbox: BBox | None = Field(None, description="box on that page in PDF points")
    quote: str | None = Field(None, description="exact source text the value was read from")
    confidence: float = Field(ge=0, le=1, description="built from evidence, never a model's self-report")


class Flag(_Part):
    path: str
    rule: str
    severity: Severity = "warning"
    message: str
    related: list[str] = Field(default_factory=list, description="other paths involved in the failed check")


class PromptRef(_Part):
    name: str
    version: str
    sha256: str


class TokenUsage(_Part):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0

    def add(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(**{k: getattr(self, k) + getattr(other, k) for k in TokenUsage.model_fields})


class RunInfo(_Part):
    engine: str
    model: str | None = None
    prompts: list[PromptRef] = Field(default_factory=list)
    schema_version: int = SCHEMA_VERSION
    usage: TokenUsage = Field(default_factory=TokenUsage)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    git_commit: str | None = None
    started_at: str | None = None


class ReportExtraction(_Part):
    schema_version: int = SCHEMA_VERSION
    source: SourceInfo | None = None
    meta: Meta = Field(default_factory=Meta)
    staffing: Staffing = Field(default_factory=Staffing)
    budget: Budget = Field(default_factory=Budget)
    three_public: ThreePublic = Field(default_factory=ThreePublic)
    evaluation: Evaluation = Field(default_factory=Evaluation)
    indicators: list[Indicator] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    tables: list[StatementTable] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    measures: list[str] = Field(default_factory=list)
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    flags: list[Flag] = Field(default_factory=list)
    run: RunInfo | None = None
