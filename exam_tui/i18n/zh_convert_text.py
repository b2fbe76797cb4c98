"""中文消息：文本题库（GIFT、Aiken）转换报告中每道题被跳过或改动的原因。"""

MESSAGES: dict[str, str] = {
    "convert.note.text_not_utf8": "文件不是 UTF-8 编码（遇到字节 {byte}），请用记事本等另存为 UTF-8 后再转换",
    "convert.note.text_empty": "文件是空的，没有可转换的内容",
    "convert.note.gift_no_questions": "文件中只有注释或分类行，没有题目",
    "convert.note.gift_description": "只有说明文字、没有花括号答案部分，不是题目，已跳过",
    "convert.note.gift_braces": "花括号不配对，无法确定答案部分（文字中的花括号请在前面加反斜杠 \\）",
    "convert.note.gift_several_answer_blocks": "一道题有 {count} 个花括号答案部分，题库格式每题只能有一个，已跳过",
    "convert.note.gift_numerical": "数值题（答案以 # 开头）题库不支持，已跳过",
    "convert.note.gift_matching": "匹配题（->）题库不支持，已跳过",
    "convert.note.gift_essay_no_rubric": "问答题没有总体反馈（答案部分中 #### 之后的文字）可作评分要点，题库要求问答题有评分要点，"
    "已跳过；请在 GIFT 文件中补上后重新转换",
    "convert.note.gift_empty_stem": "题干为空，已跳过",
    "convert.note.gift_answer_unreadable": "答案部分开头的“{text}”前没有 = 或 ~，无法识别，已跳过",
    "convert.note.gift_too_few_options": "只有 {count} 个选项，选择题至少要 2 个，已跳过",
    "convert.note.gift_too_many_options": "有 {count} 个选项，题库最多 {most} 个，已跳过",
    "convert.note.gift_empty_option": "有选项内容为空，已跳过",
    "convert.note.gift_no_right_answer": "没有标出正确答案，已跳过",
    "convert.note.gift_several_right": "单选题标了 {count} 个正确答案（=），题库单选题只能有一个，已跳过",
    "convert.note.gift_partial_credit_dropped": "原题有得部分分的答案，题库不支持部分分，这些答案按错误处理",
    "convert.note.gift_single_from_multiple": "多选题只有一个得分选项 {letter}，已转为单选题",
    "convert.note.gift_weights_dropped": "多选题各正确选项的分值比例不同，题库多选题全对才得分，比例未保留",
    "convert.note.gift_empty_answer": "有正确答案内容为空，已跳过",
    "convert.note.gift_blank_count": "填空题题干中有 {count} 处空（____），而答案只对应一处，已跳过",
    "convert.note.gift_blank_appended": "答案写在题目末尾，已在题干末尾加上空（____）",
    "convert.note.gift_html_image": "HTML 中的 {count} 张图片无法带入文本题库，已去掉（保留了图片说明文字）",
}
