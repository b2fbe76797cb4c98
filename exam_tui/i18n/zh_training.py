"""Messages for training courses, attendance, drawing lots and the points ledger (Chinese)."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "course.not_found": "没有编号为 {id} 的培训班",
    "course.bad_id": "身份证号 {value} 有误:{reason}",
    "course.title_required": "请填写培训班名称",
    "course.title_too_long": "培训班名称不能超过 {limit} 个字",
    "course.bad_kind": "培训类型只能是 {kinds},不能是 {kind}",
    "course.ends_before_start": "结束日期 {ends} 早于开始日期 {starts}",
    "course.too_long": "培训班 {starts} 至 {ends} 超过 60 天,请检查日期",
    "course.bad_role": "角色只能是 {roles},不能是 {role}",
    "course.not_enrolled": "该干部不在本培训班名单中(编号 {cadre})",
    "course.no_such_half_day": "培训班没有 {day} {half} 这个半天",
    "course.bad_status": "考勤只能是 present(出勤)、late(迟到)或 absent(缺勤),不能是 {status}",
    "course.absence_reason": "缺勤须注明原因(如病假、公务)",
    "course.has_closing_test": "培训班 {id} 已有结业测试(考试场次 {session})",
    "course.not_training_exam": "考试 {exam} 不是培训类考试(kind: training),不能作为结业测试",
    "course.nobody_enrolled": "培训班 {id} 还没有学员",
    "course.closing_title": "{title} · 结业测试",
    "draw.nobody_present": "{day} {half} 还没有出勤记录,无人可抽",
    "draw.bad_k": "抽取人数须在 1 到出勤人数 {present} 之间,不能是 {k}",
    "course.closed": "培训班 {id} 已经结业",
    "course.not_closed": "培训班 {id} 还没有结业",
    "course.reason_required": "请写明理由",
}
