"""中文消息:Moodle XML 题库转换(exam-tui bank convert)的报告。"""

MESSAGES: dict[str, str] = {
    # 整个文件无法读取
    "convert.note.moodle_unreadable": "无法读取文件:{detail}",
    "convert.note.moodle_not_xml": "不是格式正确的 XML 文件(第 {line} 行第 {column} 列:{detail})",
    "convert.note.moodle_entities": "文件在第 {line} 行声明了实体或引用了外部文件;为防范 XML 炸弹等攻击,"
    "不予读取。Moodle 导出的题库不含此类声明,请改用 Moodle 原样导出的文件",
    "convert.note.moodle_encoding": "文件声明的编码 {encoding} 无法识别;请在 Moodle 中重新导出(UTF-8)",
    "convert.note.moodle_bad_bytes": "第 {line} 行有不属于所声明编码 {encoding} 的字节;请确认文件的实际编码",
    "convert.note.moodle_not_quiz": "不是 Moodle XML 题库:根元素是 <{tag}>,应为 <quiz>",
    # 跳过的题目
    "convert.note.moodle_unsupported_type": "题型 {moodle_type} 无法转换(本系统只有单选、多选、判断、填空、简答)",
    "convert.note.moodle_image": "题干含图片或其他媒体文件,本系统题目只能显示文字"
    "(无法判断图片是否为作答所必需;如仅作装饰,请在 Moodle 中删去后重新导出)",
    "convert.note.moodle_image_option": "第 {option} 个选项(答案)含图片或其他媒体文件,本系统只能显示文字",
    "convert.note.moodle_empty_stem": "题干为空",
    "convert.note.moodle_no_answers": "没有任何选项或答案",
    "convert.note.moodle_no_right_answer": "没有得分为 100% 的正确答案",
    "convert.note.moodle_bad_fraction": "答案的得分比例 {fraction} 不是数字",
    "convert.note.moodle_single_many_right": "单选题有 {count} 个得分为 100% 的答案,本系统单选题只能有一个"
    "正确答案",
    "convert.note.moodle_option_count": "有 {count} 个选项,本系统要求 2 至 8 个",
    "convert.note.moodle_duplicate_option_conflict": "选项“{text}”出现两次,一次算对一次算错,无法确定答案",
    "convert.note.moodle_many_blanks": "简答(填空)题的题干有 {count} 处空格,而 Moodle 只收一个答案,无法对应",
    "convert.note.moodle_wildcard_only": "正确答案只有含通配符 * 的写法({answers}),本系统按原文比对,无法转换",
    "convert.note.moodle_essay_no_rubric": "论述题既无评分要点(graderinfo)也无总体反馈,本系统简答题必须有"
    "评分要点;请补写评分要点后手工录入",
    "convert.note.moodle_essay_upload_only": "论述题只收上传的文件、不收文字作答,终端考试无法作答",
    # 改动后转换的题目
    "convert.note.moodle_image_feedback": "反馈中的图片或媒体文件已略去,只保留文字",
    "convert.note.moodle_image_rubric": "评分要点中的图片或媒体文件已略去,只保留文字",
    "convert.note.moodle_duplicate_option": "选项“{text}”重复出现,已只保留一个",
    "convert.note.moodle_partial_dropped": "部分得分的答案(得分比例 {fractions})按错误答案处理",
    "convert.note.moodle_weights_dropped": "多选题各正确选项的得分比例不同({fractions}),本系统全部选对才得分,"
    "比例已不再区分",
    "convert.note.moodle_multiple_one_right": "多选题只有一个正确选项,已转为单选题",
    "convert.note.moodle_blank_added": "题干没有空格,已在末尾加上 ____ 作为填空处",
    "convert.note.moodle_wildcard_dropped": "含通配符 * 的答案({answers})无法按原文比对,已删去",
    "convert.note.moodle_case_ignored": "原题区分大小写;本系统比对填空答案时不区分拉丁字母大小写",
    "convert.note.moodle_rubric_from_feedback": "论述题没有评分要点(graderinfo),已用总体反馈作为评分要点,"
    "请核对",
    "convert.note.moodle_points_dropped": "默认分值 {points} 不在 0 至 1000 之间(不含 0),已不设分值",
    "convert.note.moodle_essay_upload_dropped": "原题允许上传附件;本系统只收文字作答,附件一项已略去",
}
