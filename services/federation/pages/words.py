"""The pages' words, zh-CN first and English (`?lang=en`)."""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "applications": ("两癌救助申请", "Aid applications"),
    "application": ("救助申请", "Aid application"),
    "submit": ("提交救助申请", "Submit an aid application"),
    "records": ("项目台账", "Programme records"),
    "schools": ("四点半学校", "After-school centres"),
    "pairings": ("结对帮扶", "Pairings"),
    "homes": ("妇儿家园", "Women's and children's homes"),
    "selections": ("评选", "Selections"),
    "county": ("县市区", "County"),
    "village": ("村", "Village"),
    "poor_village": ("贫困村", "Poor village"),
    "status": ("办理状态", "Status"),
    "all": ("全部", "All"),
    "filter": ("筛选", "Filter"),
    "due": ("办理期限", "Due"),
    "overdue": ("已超期", "overdue"),
    "submitted_by": ("提交人", "Submitted by"),
    "by_applicant": ("本人申请", "the applicant herself"),
    "by_cadre": ("村妇联干部代为申请", "a village cadre on her behalf"),
    "amount": ("救助金额（元）", "Amount (yuan)"),
    "fund_source": ("资金来源", "Fund source"),
    "paid_on": ("拨付日期", "Paid on"),
    "payment_ref": ("拨付凭证号", "Payment voucher"),
    "reason": ("不予救助的理由（将告知申请人）", "Reason for refusal (the applicant is told)"),
    "public_reason": ("不予救助的理由", "Reason for refusal"),
    "count": ("共 {total} 件", "{total} applications"),
    "none": ("暂无记录。", "Nothing yet."),
    "open": ("查看", "Open"),
    "saved": ("已保存。", "Saved."),
    "sensitive": (
        "以下为申请人的敏感个人信息（医疗与账户信息），仅供审核本申请的妇联干部查看，"
        "不得复制、转发或记录在其他地方。",
        "Below is the applicant's sensitive personal information (medical and payment "
        "details), for the federation officers reviewing this application only: do not copy, "
        "forward or note it elsewhere.",
    ),
    "details": ("申请人信息", "Applicant's details"),
    "applicant_name": ("申请人姓名", "Applicant's name"),
    "contact": ("申请人联系方式（选填）", "The applicant's contact (optional)"),
    "contact_help": (
        "填写后，办理进展将以短信或邮件告知申请人（不含病情）；联系方式加密保存。",
        "If given, she is told of each step by SMS or mail (never the illness); kept sealed.",
    ),
    "phone": ("手机号码", "Mobile phone"),
    "email": ("电子邮箱", "Email"),
    "household_ref": ("建档立卡户编号", "Poverty registration number"),
    "diagnosis": ("诊断", "Diagnosis"),
    "cervical": ("宫颈癌", "cervical cancer"),
    "breast": ("乳腺癌", "breast cancer"),
    "certificate_ref": ("诊断证明编号", "Diagnosis certificate"),
    "hospital": ("诊断医院", "Hospital"),
    "bank": ("开户银行", "Bank"),
    "account_holder": ("账户户名", "Account holder"),
    "account_number": ("银行账号", "Account number"),
    "actions": ("办理", "Actions"),
    "no_actions": ("当前没有您可以办理的步骤。", "There is no step for you to take now."),
    "check": ("资格审核", "Eligibility check"),
    "registered_poor": ("建档立卡贫困户", "Registered poor household"),
    "rural": ("农村妇女", "Rural woman"),
    "diagnosis_confirmed": ("已确诊宫颈癌或乳腺癌", "Cervical or breast cancer confirmed"),
    "check_help": (
        "如有一项不符合，申请将不予救助，并把不符合的情况告知申请人。",
        "If any is not met, the application is refused and the applicant told why.",
    ),
    "do_check": ("提交审核结果", "Record the check"),
    "review": ("县妇联审核", "County review"),
    "do_review": ("审核通过，报市妇联", "Pass to the city federation"),
    "approve": ("市妇联审批", "City approval"),
    "do_approve": ("批准救助", "Approve"),
    "disburse": ("拨付", "Disbursement"),
    "do_disburse": ("登记拨付", "Record the payment"),
    "close": ("办结", "Close"),
    "do_close": ("办结归档", "Close the file"),
    "refuse": ("不予救助", "Refuse"),
    "do_refuse": ("不予救助", "Refuse"),
    "drive": ("救助活动", "Aid drive"),
    "no_drive": ("（不计入救助活动）", "(not in a drive)"),
    "choose": ("请选择", "Choose"),
    "send": ("提交申请", "Submit"),
    "submit_help": (
        "申请人的姓名、建档立卡编号、诊断和银行账户加密保存，只有审核的妇联干部可以查看。",
        "The applicant's name, registration, diagnosis and bank account are sealed: only the "
        "reviewing federation officers can read them.",
    ),
    "no_villages": (
        "本县尚未登记村庄，请先由县妇联登记村庄。",
        "No village is registered in your county yet: the county federation registers them.",
    ),
    "receipt_title": ("申请已提交", "Application submitted"),
    "receipt": ("回执码", "Receipt"),
    "receipt_help": (
        "请把回执码交给申请人本人保管：凭回执码可查询办理进度。回执码只显示这一次。",
        "Give the receipt to the applicant herself: with it she follows her application. It "
        "is shown only this once.",
    ),
    "another": ("再提交一份申请", "Submit another application"),
    "fix": ("请检查标出的项目。", "Please check the marked fields."),
    "invalid": ("此项无效", "Not valid"),
    "name": ("名称", "Name"),
    "child": ("儿童（编号）", "Child (reference)"),
    "category": ("类别", "Category"),
    "volunteer": ("帮扶人", "Paired with"),
    "functions": ("服务功能", "Service functions"),
    "kind": ("类别", "Kind"),
    "year": ("年度", "Year"),
    "public_name": ("公示名称", "Public name"),
    "refused_title": ("无法完成", "Not allowed"),
    "no_page": ("您的角色无权使用此页面", "Your role may not use this page"),
    "back": ("返回申请列表", "Back to the applications"),
    "created": ("登记时间", "Recorded"),
}
STATUS = {
    "submitted": ("待资格审核", "awaiting the eligibility check"),
    "eligible": ("待县妇联审核", "awaiting the county review"),
    "reviewed": ("待市妇联审批", "awaiting the city's approval"),
    "approved": ("已批准，待拨付", "approved, awaiting payment"),
    "disbursed": ("已拨付", "paid"),
    "closed": ("已办结", "closed"),
    "refused": ("不予救助", "refused"),
}
FUNDS = {
    "national": ("中央财政两癌救助资金", "national aid funds"),
    "provincial": ("省级两癌救助资金", "provincial aid funds"),
    "city_charity": ("市慈善总会", "the city charity federation"),
    "city_budget": ("市级财政", "the city budget"),
}
CATEGORIES = {
    "left_behind": ("留守儿童", "left-behind"),
    "orphaned": ("孤儿", "orphaned"),
    "disabled": ("残疾儿童", "disabled"),
}
VOLUNTEERS = {"cadre": ("妇女干部", "woman cadre"), "volunteer": ("志愿者", "volunteer")}
FUNCTIONS = {
    "education": ("宣传教育", "education"),
    "rights": ("维权服务", "rights"),
    "family": ("家庭教育", "family education"),
    "relief": ("帮扶救助", "relief"),
    "employment": ("就业指导", "employment"),
    "culture": ("文化娱乐", "culture"),
}
SELECTION_STATUS = {
    "nominated": ("已提名", "nominated"),
    "selected": ("已评选", "selected"),
    "declined": ("未评选", "declined"),
    "published": ("已公示", "published"),
}


def pick(table: dict[str, tuple[str, str]], english: bool) -> dict[str, str]:
    return {key: pair[1] if english else pair[0] for key, pair in table.items()}
