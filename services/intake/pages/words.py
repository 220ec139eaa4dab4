"""The one home of the words the public pages show, zh-CN first and English (`?lang=en`)."""

from __future__ import annotations

# key -> (zh-CN, English)
WORDS: dict[str, tuple[str, str]] = {
    "title": (
        "德州市扶贫领域作风问题举报",
        "Report work-style problems in poverty relief (Dezhou)",
    ),
    "intro": (
        "德州市正在开展扶贫领域作风问题专项治理，整治形式主义、官僚主义、弄虚作假、"
        "优亲厚友等问题。您反映的每一件事都会登记、分办到负责单位并在期限内答复，"
        "您可以凭查询码随时查看办理进展。",
        "Dezhou is running a campaign against work-style problems in poverty relief: formalism, "
        "bureaucratism, falsification and favouritism. Every report is registered, sent to the "
        "unit responsible and answered within a deadline; follow it with your tracking code.",
    ),
    "nav_report": ("我要举报", "Report"),
    "nav_track": ("查询进展", "Track"),
    "nav_exposures": ("曝光台", "Exposures"),
    "language": ("English", "中文"),
    "where": ("问题发生在哪里", "Where it happened"),
    "county": ("县（市、区）", "County"),
    "choose": ("请选择", "Choose"),
    "township": ("乡镇（街道）", "Township"),
    "township_unknown": ("不清楚或不在列表中", "Not sure or not listed"),
    "township_text": ("或填写乡镇名称", "Or type the township"),
    "village": ("村（社区）", "Village"),
    "what": ("反映什么问题", "What happened"),
    "category_hint": ("问题类别（可不选）", "Kind of problem (optional)"),
    "category_none": ("不确定", "Not sure"),
    "hints_help": ("问题清单说明", "What each kind means"),
    "subject_unit": ("涉及的单位", "Unit concerned"),
    "subject_person": ("涉及的人员（职务或姓名）", "Person concerned (post or name)"),
    "subject_is_head": ("反映的是该单位的主要负责人", "It concerns the unit's head"),
    "occurred_on": ("发生日期", "When it happened"),
    "content": ("具体情况", "What happened, in your words"),
    "content_help": (
        "请写清时间、地点、经过；请勿填写与举报无关的个人信息。",
        "Say when, where and what; leave out personal details not needed.",
    ),
    "files": ("照片或材料（可选）", "Photos or documents (optional)"),
    "files_help": (
        "最多 {count} 个，每个不超过 {mb} MB；可上传照片、PDF、录音、视频或文本。",
        "Up to {count} files of at most {mb} MB each: photos, PDF, audio, video, text.",
    ),
    "who": ("是否留下姓名", "Your name"),
    "anonymous": ("匿名举报（默认）", "Anonymous (default)"),
    "anonymous_help": (
        "不留任何姓名和联系方式，只能凭查询码查看进展。",
        "No name, no contact: only the tracking code follows the report.",
    ),
    "named": ("实名举报", "Give my name and contact"),
    "named_help": (
        "姓名、电话、邮箱提交前即加密封存：办理单位和被反映单位都看不到；只有纪检监察机关"
        "在调查需要时按规定程序并记录理由后才能查看，电话和邮箱另加密供系统发送办理进展短信或邮件。",
        "Your name, phone and email are sealed before they are stored: neither the handling nor "
        "the accused unit can read them; only discipline inspection may open them, for a stated "
        "reason that is recorded. Phone and email are also sealed for progress messages.",
    ),
    "name": ("姓名", "Name"),
    "phone": ("手机号码", "Phone"),
    "email": ("电子邮箱", "Email"),
    "submit": ("提交举报", "Send report"),
    "pow_note": (
        "为防止恶意刷单，页面会在您的浏览器中做一小段计算；未启用脚本也可提交，但提交频率限制更严。",
        "To stop floods, your browser does a short computation; without scripts you can still "
        "send, under a stricter limit.",
    ),
    "errors_above": (
        "提交未成功，请按提示修改后重新提交。",
        "Not sent: please correct the fields marked.",
    ),
    "too_many": ("提交过于频繁，请稍后再试。", "Too many submissions; please try later."),
    "receipt_title": ("举报已提交", "Report received"),
    "code_label": ("您的查询码", "Your tracking code"),
    "code_warning": (
        "请务必抄写、截图或打印保存此查询码。它是查看进展和申请复查的唯一凭证，"
        "系统不保存明文，遗失后无法找回。",
        "Write down, screenshot or print this code. It is the only key to your report: it is not "
        "stored in clear and cannot be recovered.",
    ),
    "copy_code": ("复制查询码", "Copy code"),
    "copied": ("已复制", "Copied"),
    "print": ("打印或保存回执", "Print or save receipt"),
    "received_at": ("提交时间", "Received at"),
    "track_title": ("查询办理进展", "Track a report"),
    "code_input": ("查询码", "Tracking code"),
    "code_help": (
        "20 位字母和数字，空格、短横线和大小写均可。",
        "20 letters and digits; spaces, dashes and case do not matter.",
    ),
    "look_up": ("查询", "Look up"),
    "status": ("当前状态", "Status"),
    "steps": ("办理经过", "Steps"),
    "deadline": ("办理期限", "Deadline"),
    "deadline_accept": ("受理期限", "Acceptance deadline"),
    "deadline_handle": ("办理期限", "Handling deadline"),
    "review_until": ("可申请复查至", "Review may be asked until"),
    "review_title": ("对答复不满意？申请复查", "Not satisfied? Ask for a review"),
    "reason": ("复查理由", "Reason"),
    "ask_review": ("申请复查", "Ask for review"),
    "review_sent": ("复查申请已提交", "Review requested"),
    "feedback_title": ("请对办理结果作出评价", "Please rate the result"),
    "feedback_until": ("可评价至", "You may rate it until"),
    "rating": ("评价", "Rating"),
    "rating_satisfied": ("满意", "Satisfied"),
    "rating_basically_satisfied": ("基本满意", "Basically satisfied"),
    "rating_unsatisfied": ("不满意", "Unsatisfied"),
    "comment": ("意见（不满意请说明理由）", "Comment (if unsatisfied, say why)"),
    "give_feedback": ("提交评价", "Send the rating"),
    "feedback_sent": ("评价已提交，感谢您的监督", "Thank you: your rating was recorded"),
    "survey_title": ("对办理结果进行评价", "Rate the result of your report"),
    "survey_intro": (
        "您反映的问题已于 {day} 答复。请对办理结果作出评价；此链接只能使用一次。",
        "Your report was answered on {day}. Please rate the result; this link works once.",
    ),
    "survey_closed": (
        "此评价链接已使用或已过期。您仍可凭查询码查看办理进展。",
        "This rating link was used or has expired. Your tracking code still shows the progress.",
    ),
    "survey_invalid": ("评价链接无效", "This rating link is not valid"),
    "exposures_title": ("查实曝光", "Verified and made public"),
    "exposures_none": ("暂无曝光案例。", "No cases made public yet."),
    "file_too_big": ("文件“{name}”超过 {mb} MB", "“{name}” is over {mb} MB"),
    "file_type": ("不接受文件“{name}”的类型", "“{name}”: file type not accepted"),
    "file_count": ("最多上传 {count} 个文件", "At most {count} files"),
    "township_county": ("所选乡镇不属于所选县（市、区）", "That township is not in that county"),
}


def words(english: bool) -> dict[str, str]:
    """The page words in one language."""
    return {key: pair[1] if english else pair[0] for key, pair in WORDS.items()}
