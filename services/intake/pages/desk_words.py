"""The words of the clerk's desk pages (officials'), zh-CN first and English (`?lang=en`)."""

from __future__ import annotations

# key -> (zh-CN, English)
WORDS: dict[str, tuple[str, str]] = {
    "desk_title": ("来件登记", "Intake desk"),
    "desk_intro": (
        "把电话、来信、来访登记为举报；登记后把查询码读给或寄给举报人。",
        "Enter a hotline call, letter or visit as a report, then read or send the tracking "
        "code to the reporter.",
    ),
    "import_link": ("批量导入督查发现", "Import inspection findings"),
    "channel": ("来件方式", "Channel"),
    "hotline": ("电话", "Hotline call"),
    "letter": ("来信", "Letter"),
    "visit": ("来访", "Visit"),
    "title_field": ("标题（可选）", "Title (optional)"),
    "reporter": ("举报人", "Reporter"),
    "reporter_anonymous": ("不留姓名", "Anonymous"),
    "reporter_named": ("留下姓名和电话", "Name and phone given"),
    "sealed_note": (
        "姓名和电话提交即加密封存，办理单位看不到；只有纪检监察机关按程序可查看。",
        "Name and phone are sealed on submission: handling units cannot read them; only "
        "discipline inspection may open them, by the recorded procedure.",
    ),
    "address": ("通信地址（来信、来访，可选）", "Postal address (letters and visits, optional)"),
    "address_help": (
        "未留电话的，受理、延期和办理结果将以书面告知书寄往此地址（请写明收件人）；地址同样加密封存。",
        "Without a phone, the acceptance, extension and result notices are posted here as "
        "letters (write the recipient too); the address is sealed like the name and phone.",
    ),
    "files": ("材料（可选）", "Documents (optional)"),
    "register": ("登记", "Register"),
    "receipt_title": ("已登记", "Registered"),
    "read_code": (
        "请把查询码读给（或寄给）举报人，并提醒其妥善保存：系统不保存明文，遗失后无法找回。",
        "Read (or send) this tracking code to the reporter and ask them to keep it: it is not "
        "stored in clear and cannot be recovered.",
    ),
    "another": ("再登记一件", "Enter another"),
    "import_title": ("批量导入督查发现", "Import inspection findings"),
    "import_intro": (
        "上传 CSV 或 XLSX 文件，第一行为表头（县市区代码、内容等，与接口字段或中文列名相同）；"
        "每行单独受理，有问题的行不影响其他行。",
        "Upload a CSV or XLSX file whose first row names the columns (county, content … as the "
        "API's fields or their Chinese labels); each row stands alone, a bad row blocks no other.",
    ),
    "file": ("导入文件（CSV 或 XLSX）", "File (CSV or XLSX)"),
    "upload": ("导入", "Import"),
    "results_title": ("导入结果", "Import results"),
    "row": ("行号", "Row"),
    "outcome": ("结果", "Outcome"),
    "accepted": ("已受理，查询码", "Accepted, tracking code"),
    "refused": ("未受理", "Not accepted"),
    "summary": (
        "共 {total} 行：受理 {ok} 行，未受理 {bad} 行。",
        "{total} rows: {ok} accepted, {bad} not.",
    ),
    "import_again": ("再导入一个文件", "Import another file"),
    "not_sent": ("未登记，请按提示修改。", "Not registered: please correct the fields marked."),
    "refused_title": ("无法完成", "Not allowed"),
}


def desk_words(english: bool) -> dict[str, str]:
    return {key: pair[1] if english else pair[0] for key, pair in WORDS.items()}
