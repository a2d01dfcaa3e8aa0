"""What a case's documents say: one DocumentContent per document, rendered to PDF and DOCX by `documents` in the
执法文书 layout. Each builder takes the case, the step it is issued for and its number, and says only what the case
records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from jianguan.documents.content import DocumentContent, Section, Table, chinese_date
from jianguan.enforcement import clocks
from jianguan.enforcement.choices import CaseOutcome, EvidenceKind, PenaltyType, ServiceMethod
from jianguan.enforcement.models import penalty_summary
from jianguan.enforcement.provisions import PROVISIONS
from jianguan.inspections.documents import remedies_text


def _day(step: Any) -> Any:
    return timezone.localtime(step.at).date()


def _sentence(text: str) -> str:
    """Officers' words inside a document's sentence: ended by one full stop, whatever they typed."""
    text = (text or "").strip().rstrip("。；;.，, ")
    return f"{text}。" if text else ""


def _yuan(amount: Decimal | None) -> str:
    return f"{amount:,.2f} 元" if amount is not None else "—"


def _officers(case: Any) -> str:
    return "；".join(f"{o.user.name}（执法证号 {o.certificate_number}）" for o in case.officers.select_related("user"))


def _provision(case: Any) -> str:
    provision = PROVISIONS.get(case.provision)
    return f"{provision.citation}（{provision.violation}）" if provision else "—"


def _penalties(types: list[str], fine: Decimal | None) -> str:
    return penalty_summary(types, fine) or "—"


def _party(case: Any) -> Section:
    institution = case.institution
    fields = [("当事人", case.party_name), ("地址", case.party_address or "—")]
    if institution.credit_code:
        fields.append(("统一社会信用代码", institution.credit_code))
    if institution.legal_representative:
        fields.append(("法定代表人（负责人）", institution.legal_representative))
    return Section(fields=fields)


def _content(case: Any, step: Any, number: str, title: str, sections: list[Section], **kw: Any) -> DocumentContent:
    return DocumentContent(
        issuer=case.department.name, title=title, number=number, sections=sections,
        seal_text=case.department.name, date=_day(step), **kw,
    )  # fmt: skip


def filing_approval(case: Any, step: Any, number: str) -> DocumentContent:
    """立案审批表: the clue, the facts, the provision, the investigators and their recusal, the head's approval."""
    proposal = case.steps.filter(action="propose_filing").order_by("-at").first()
    return _content(
        case,
        step,
        number,
        "立案审批表",
        [
            _party(case),
            Section(
                fields=[
                    ("案件来源", case.get_source_display()),
                    ("发现线索或收到材料之日", chinese_date(case.clue_on)),
                    ("案件线索", case.clue),
                    ("涉嫌违法事实", case.facts),
                    ("涉嫌违反的规定及处罚依据", _provision(case)),
                    ("办案人员", _officers(case)),
                    ("回避情况", case.officers.first().recusal if case.officers.exists() else "—"),
                    (
                        "承办人意见",
                        f"建议立案（{proposal.actor.name} 于 {chinese_date(_day(proposal))} 提请）"
                        if proposal
                        else "建议立案",
                    ),
                    ("负责人审批意见", f"同意立案。{step.note}".strip()),
                    ("批准人", step.actor.name),
                    ("立案日期", chinese_date(case.filed_on)),
                ]
            ),  # fmt: skip
        ],
    )


def no_filing(case: Any, step: Any, number: str) -> DocumentContent:
    return _content(
        case,
        step,
        number,
        "不予立案审批表",
        [
            _party(case),
            Section(
                fields=[
                    ("案件来源", case.get_source_display()),
                    ("发现线索或收到材料之日", chinese_date(case.clue_on)),
                    ("案件线索", case.clue),
                    ("不予立案理由", step.note),
                    ("负责人", step.actor.name),
                ]
            ),  # fmt: skip
        ],
    )


def preservation_notice(case: Any, step: Any, number: str) -> DocumentContent:
    """先行登记保存证据通知书 (行政处罚法 第五十六条): what is kept, that it may not be destroyed or moved, and the
    seven working days within which the department decides."""
    due = clocks.preservation_due(case.preserved_on)
    return _content(case, step, number, "先行登记保存证据通知书", [
        Section(paragraphs=[
            f"{case.party_name}：",
            f"因你（单位）涉嫌违法一案证据可能灭失或者以后难以取得，经本机关负责人批准，依据《中华人民共和国行政处罚法》"
            f"第五十六条的规定，决定对下列证据先行登记保存。在此期间，你（单位）或者有关人员不得销毁或者转移证据。"
            f"本机关将于{chinese_date(due)}前作出处理决定。",
        ]),
        Section(heading="先行登记保存的证据", paragraphs=[case.preserved_items]),
        Section(fields=[("办案人员", _officers(case)), ("批准人", step.actor.name)]),
    ], signatures=[("当事人签收", ""), ("签收日期", "")])  # fmt: skip


def preservation_decision(case: Any, step: Any, number: str) -> DocumentContent:
    return _content(case, step, number, "先行登记保存证据处理决定书", [
        Section(paragraphs=[
            f"{case.party_name}：",
            f"本机关于{chinese_date(case.preserved_on)}对你（单位）的下列证据先行登记保存：{case.preserved_items}",
            f"现依法作出如下处理决定：{step.note}",
        ]),
    ], signatures=[("当事人签收", ""), ("签收日期", "")])  # fmt: skip


def _evidence_table(case: Any) -> Table:
    rows = [
        [str(n), e.title, str(EvidenceKind(e.kind).label), e.description or "—", chinese_date(e.collected_on)]
        for n, e in enumerate(case.evidence.all(), start=1)
    ]
    return Table(["序号", "证据名称", "种类", "证明内容", "取证日期"], rows or [["—", "—", "—", "—", "—"]],
                 [1, 4, 2, 6, 3])  # fmt: skip


def investigation_report(case: Any, step: Any, number: str) -> DocumentContent:
    """案件调查终结报告: the facts found, the evidence list, the provision and the proposal."""
    proposal = str(CaseOutcome(case.outcome).label)
    if case.outcome == CaseOutcome.PENALTY:
        proposal += f"：{_penalties(case.proposed_penalties, case.proposed_fine)}"
    fields = [
        ("立案日期", chinese_date(case.filed_on)),
        ("办案人员", _officers(case)),
        ("处罚依据", _provision(case)),
    ]
    if case.illegal_gains is not None:
        fields.append(("认定的违法所得", _yuan(case.illegal_gains)))
    fields += [
        ("处理意见", proposal),
        ("是否须法制审核", "是" if case.legal_review_required else "否"),
        ("是否集体讨论", "是" if case.serious else "否"),
    ]
    return _content(case, step, number, "案件调查终结报告", [
        _party(case),
        Section(heading="调查认定的事实", paragraphs=[step.note]),
        Section(heading="证据清单", table=_evidence_table(case)),
        Section(fields=fields),
    ], signatures=[("办案人员", step.actor.name)])  # fmt: skip


def legal_review(case: Any, step: Any, number: str) -> DocumentContent:
    passed = step.data.get("passed")
    return _content(
        case,
        step,
        number,
        "法制审核意见书",
        [
            _party(case),
            Section(
                fields=[
                    ("处罚依据", _provision(case)),
                    ("拟处罚", _penalties(case.proposed_penalties, case.proposed_fine)),
                    ("审核结论", "通过" if passed else "退回补充调查"),
                    ("审核意见", step.note),
                    ("审核人员", step.actor.name),
                ]
            ),  # fmt: skip
        ],
    )


def discussion(case: Any, step: Any, number: str) -> DocumentContent:
    return _content(
        case,
        step,
        number,
        "集体讨论记录",
        [
            _party(case),
            Section(
                fields=[
                    ("讨论日期", chinese_date(_as_date(step.data.get("held_on")))),
                    ("参加人员", step.data.get("attendees", "")),
                    ("拟处罚", _penalties(case.proposed_penalties, case.proposed_fine)),
                    ("讨论结论", step.note),
                    ("主持人", step.actor.name),
                ]
            ),  # fmt: skip
        ],
    )


def _as_date(value: Any) -> Any:
    from datetime import date

    return date.fromisoformat(value) if isinstance(value, str) else value


def penalty_notice(case: Any, step: Any, number: str) -> DocumentContent:
    """行政处罚事先告知书 (第四十四条): the facts, the grounds, the intended penalty, and the rights to 陈述申辩 and,
    where 第六十三条 gives it, a hearing, with the last day to use them."""
    due = clocks.party_reply_due(case.notice_served_on)
    rights = [
        f"根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）有权进行陈述和申辩。"
        f"请于{chinese_date(due)}前向本机关提出，也可以登录校外培训机构监管信息平台在线提交。"
        f"逾期未提出的，视为放弃陈述和申辩的权利。"
    ]
    if case.hearing_right:
        rights.append(
            f"根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有权要求听证。"
            f"要求听证的，应当于{chinese_date(due)}前提出；逾期未提出的，视为放弃听证的权利。"
        )
    return _content(case, step, number, "行政处罚事先告知书", [
        Section(paragraphs=[
            f"{case.party_name}：",
            f"本机关于{chinese_date(case.filed_on)}对你（单位）涉嫌违法一案立案调查。经查，{_sentence(case.facts)}",
            f"以上事实违反了{_provision(case)}的规定。依据{PROVISIONS[case.provision].citation}，"
            f"本机关拟对你（单位）作出如下行政处罚：{_penalties(case.proposed_penalties, case.proposed_fine)}。",
            *rights,
        ]),
        Section(fields=[("办案人员", _officers(case))]),
    ], signatures=[("当事人签收", ""), ("签收日期", chinese_date(case.notice_served_on))])  # fmt: skip


def hearing_notice(case: Any, step: Any, number: str) -> DocumentContent:
    return _content(
        case,
        step,
        number,
        "听证通知书",
        [
            Section(
                paragraphs=[
                    f"{case.party_name}：",
                    f"根据你（单位）的要求，本机关决定于{chinese_date(case.hearing_on)}在{case.hearing_place}举行听证，"
                    f"由{case.hearing_presider.name}主持（非本案调查人员）。你（单位）可以亲自参加，也可以委托一至二人代理；"
                    "认为主持人与本案有直接利害关系的，有权申请回避。无正当理由拒不出席或者未经许可中途退出的，"
                    "视为放弃听证权利。听证公开举行，涉及国家秘密、商业秘密或者个人隐私的除外。当事人不承担听证费用。",
                ]
            ),  # fmt: skip
        ],
        signatures=[("当事人签收", ""), ("签收日期", "")],
    )


def hearing_record(case: Any, step: Any, number: str) -> DocumentContent:
    return _content(
        case,
        step,
        number,
        "听证笔录",
        [
            _party(case),
            Section(
                fields=[
                    ("听证日期", chinese_date(case.hearing_on)),
                    ("听证地点", case.hearing_place),
                    ("主持人", case.hearing_presider.name if case.hearing_presider else "—"),
                    ("调查人员", _officers(case)),
                ]
            ),  # fmt: skip
            Section(heading="听证情况", paragraphs=[step.note]),
        ],
        signatures=[("当事人或代理人", ""), ("主持人", ""), ("记录人", step.actor.name)],
    )


def _statements(case: Any) -> list[str]:
    rows = []
    for s in case.statements.all():
        verdict = "予以采纳" if s.accepted else "不予采纳"
        rows.append(f"当事人提出：{_sentence(s.text)}经复核，{verdict}，理由：{_sentence(s.answer)}")
    if case.hearing_on:
        rows.append(
            f"应当事人要求，本机关于{chinese_date(case.hearing_on)}举行听证，"
            f"由非本案调查人员{case.hearing_presider.name}主持，制作了听证笔录。"
        )
    if not rows:
        rows.append("当事人在规定期限内未提出陈述、申辩。" if not case.rights_waived else "当事人明确放弃陈述、申辩。")
    return rows


def decision(case: Any, step: Any, number: str) -> DocumentContent:
    """行政处罚决定书 or 不予行政处罚决定书: the six items of 第五十九条 (the party, the facts and evidence, the penalty
    and its basis, how and by when to carry it out, the remedies and their limits, the department and the date) and
    the department's seal; what the party said and how it was answered."""
    evidence = "、".join(e.title for e in case.evidence.all()) or "—"
    if case.outcome != CaseOutcome.PENALTY:
        return _content(
            case,
            step,
            number,
            "不予行政处罚决定书",
            [
                _party(case),
                Section(
                    paragraphs=[
                        f"本机关于{chinese_date(case.filed_on)}对你（单位）涉嫌违法一案立案调查。经查：{_sentence(case.facts)}",
                        f"本机关认为：{_sentence(step.note)}",
                        f"根据《中华人民共和国行政处罚法》第五十七条第一款的规定，决定：{CaseOutcome(case.outcome).label}。",
                        remedies_text([case.department], "决定"),
                    ]
                ),  # fmt: skip
            ],
        )
    paragraphs = [
        f"本机关于{chinese_date(case.filed_on)}对你（单位）涉嫌违法一案立案调查。经查明：{_sentence(case.facts)}",
        f"以上事实有以下证据证明：{evidence}。",
        *_statements(case),
        f"本机关认为：{_sentence(step.note)}你（单位）的行为违反了{_provision(case)}的规定。"
        f"依据{PROVISIONS[case.provision].citation}，本机关决定：{_penalties(case.penalties, case.fine)}。",
    ]
    if case.fine:
        paragraphs.append(
            "请自收到本决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款。到期不缴纳罚款的，"
            "本机关将每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额（《中华人民共和国行政处罚法》"
            "第六十七条、第七十二条）。确有经济困难的，可以申请延期或者分期缴纳。"
        )
    non_fine = [p for p in case.penalties if p != PenaltyType.FINE]
    if non_fine:
        paragraphs.append(f"{_penalties(non_fine, None)}自本决定书送达之日起执行。")
    if not set(case.penalties) <= {PenaltyType.WARNING}:
        # 信息公示规定 第八条 as the model: the party is told in writing that the decision will be published.
        paragraphs.append("本决定送达后，本机关将依法通过校外培训机构监管信息平台向社会公示本决定的相关信息。")
    paragraphs.append(remedies_text([case.department], "决定"))
    return _content(case, step, number, "行政处罚决定书", [_party(case), Section(paragraphs=paragraphs)])


def service_receipt(case: Any, step: Any, number: str) -> DocumentContent:
    from jianguan.enforcement.services import decision_document

    decided = decision_document(case)
    return _content(
        case,
        step,
        number,
        "送达回证",
        [
            Section(
                fields=[
                    ("受送达人", case.party_name),
                    ("送达文书", f"{decided.title}（{decided.number}）"),
                    ("送达地点", case.party_address or "—"),
                    ("送达方式", str(ServiceMethod(case.service_method).label)),
                    ("送达日期", chinese_date(case.served_on)),
                    ("送达人", step.actor.name),
                ]
            ),  # fmt: skip
        ],
        signatures=[("受送达人签收", ""), ("送达人", step.actor.name)],
    )


def closing_report(case: Any, step: Any, number: str) -> DocumentContent:
    fields = [
        ("立案日期", chinese_date(case.filed_on)),
        ("决定日期", chinese_date(case.decided_on) if case.decided_on else "—"),
        ("处罚结果", _penalties(case.penalties, case.fine) if case.penalties else str(CaseOutcome(case.outcome).label)),
    ]
    if case.fine:
        fields.append(("缴纳情况", f"已缴纳 {_yuan(case.paid)}，缴清日期 {chinese_date(case.paid_on)}"))
    fields += [("执行情况", step.note), ("批准人", step.actor.name), ("结案日期", chinese_date(case.closed_on))]
    return _content(case, step, number, "结案报告", [_party(case), Section(fields=fields)])
