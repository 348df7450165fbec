"""Every visitor-facing string in Chinese and English (Chinese is the default).

Pages call `t("key", lang)`; a missing key raises KeyError in tests rather than showing a raw key
to a visitor. Format fields use str.format names.
"""
from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

STRINGS: dict[str, tuple[str, str]] = {
    # (zh, en)
    "app_title": ("文物纪念品定制", "Heritage souvenir maker"),
    "lang_switch": ("English", "中文"),
    "start_title": ("把文物之美带回家", "Take a piece of heritage home"),
    "start_body": ("选一件文物纹样，写下你的祝福，几分钟后在礼品店取走专属于你的书签、扑克牌或明信片。",
                   "Pick a motif from our collection, add your own words, and collect your own "
                   "bookmark, playing card or postcard at the museum shop in a few minutes."),
    "start_button": ("开始制作", "Start"),
    "step": ("第 {n} 步，共 {total} 步", "Step {n} of {total}"),
    "back": ("返回", "Back"),
    "restart": ("重新开始", "Start over"),
    "motif_title": ("选择文物纹样", "Choose a motif"),
    "motif_pick": ("选这个", "Choose"),
    "product_title": ("选择纪念品", "Choose a souvenir"),
    "product_bookmark": ("书签", "Bookmark"),
    "product_poker": ("扑克牌", "Playing card"),
    "product_postcard": ("明信片", "Postcard"),
    "product_bookmark_note": ("细长竖版", "Tall and narrow"),
    "product_poker_note": ("竖版卡片", "Upright card"),
    "product_postcard_note": ("横版，背面可写地址", "Landscape, address on the back"),
    "text_title": ("写下你的文字", "Add your words"),
    "line_n": ("第 {n} 行", "Line {n}"),
    "add_line": ("＋ 添加一行", "+ Add a line"),
    "remove_line": ("删除这一行", "Remove this line"),
    "line_text": ("第 {n} 行文字", "Text of line {n}"),
    "line_text_help": ("用下面的手写、拼音或吉祥语填写", "Fill it with handwriting, pinyin or a phrase below"),
    "tab_phrases": ("吉祥语", "Phrases"),
    "tab_handwriting": ("手写", "Handwriting"),
    "tab_pinyin": ("拼音", "Pinyin"),
    "phrases_hint": ("点选一句，放入当前这一行", "Tap a phrase to put it on the current line"),
    "input_unavailable": ("此输入方式暂不可用", "This input method is not available yet"),
    "boxes_title": ("在图上为每一行画一个框", "Draw a box on the picture for each line"),
    "boxes_hint": ("用手指从框的一角拖到对角。第 1 个框放第 1 行，依此类推。文字请放在虚线框内。",
                   "Drag a finger from one corner to the opposite corner. Box 1 holds line 1, and "
                   "so on. Keep text inside the dashed line."),
    "boxes_count": ("已画 {boxes} 个框，共 {lines} 行文字", "Boxes drawn: {boxes} of {lines}"),
    "undo_box": ("撤销上一个框", "Undo last box"),
    "clear_boxes": ("清除全部框", "Clear all boxes"),
    "auto_boxes": ("帮我摆放", "Place them for me"),
    "box_unsafe": ("第 {n} 个框超出了虚线安全区，文字可能被裁掉", "Box {n} goes past the dashed safe area: its text may be cut off"),
    "font": ("字体", "Font"),
    "color": ("颜色", "Colour"),
    "vertical": ("竖排", "Vertical text"),
    "style_title": ("第 {n} 行的字体和颜色", "Font and colour of line {n}"),
    "style_hint": ("先点上面的“第几行”，再为那一行选字体和颜色",
                   "Tap a line above, then pick its font and colour"),
    "style_all": ("所有行都用这个样式", "Use this style for every line"),
    "preview": ("文字位置预览", "Where your words will sit"),
    "generate": ("生成图案", "Generate"),
    "need_text": ("请至少写一行文字", "Please add at least one line of text"),
    "need_box": ("请为第 {n} 行画一个框", "Please draw a box for line {n}"),
    "too_many_lines": ("最多 {n} 行文字", "At most {n} lines of text"),
    "too_long": ("第 {n} 行最多 {max} 个字，现在有 {count} 个", "Line {n}: at most {max} characters; it has {count}"),
    "line_full": ("第 {n} 行已满：每行最多 {max} 个字", "Line {n} is full: at most {max} characters a line"),
    "no_glyph": ("第 {n} 行：字体“{font}”里没有“{chars}”，请换一种字体或换几个字",
                 "Line {n}: the font {font} has no \"{chars}\"; please pick another font or other characters"),
    "bad_chars": ("第 {n} 行有看不见的特殊字符，请删掉后重新输入",
                  "Line {n} has hidden special characters: please delete them and type it again"),
    "refused": ("抱歉，这段文字不适合在博物馆纪念品上使用，请换一种说法。",
                "Sorry, we can't print that text on a museum souvenir. Please try different words."),
    "generating_title": ("正在生成你的图案", "Making your design"),
    "progress": ("已完成 {done}/{total} 张", "{done} of {total} ready"),
    "time_left": ("约剩 {s} 秒", "about {s} s left"),
    "waiting": ("排队中，请稍候……", "Waiting for the generator..."),
    "choose_title": ("选一张你最喜欢的", "Choose your favourite"),
    "choose": ("选这张", "Choose this one"),
    "ocr_ok": ("✓ 文字清晰可读", "✓ Text reads back exactly"),
    "ocr_warn": ("⚠ 部分文字可能不清晰", "⚠ Some text may not be clear"),
    "ocr_unknown": ("文字未核验", "Text not checked"),
    "ocr_unverifiable": ("✓ 文字已核验，只有生僻字 {chars} 机器认不出，请亲自看一眼",
                         "✓ Text checked, apart from the rare character(s) {chars} the machine "
                         "cannot read: please look at them yourself"),
    "try_again": ("再来一组", "Try again"),
    "edit_text": ("修改文字", "Change my words"),
    "gen_failed": ("生成失败：{reason}", "Generation failed: {reason}"),
    "edit_title": ("还想改改文字吗？", "Want to change the words?"),
    "edit_hint": ("改一行的文字：点“第几行”，再用下面的吉祥语、手写或拼音输入；点 ✕ 删除这一行；"
                  "点“添加一行”后在图上为它画一个框。图案其余部分保持不变。",
                  "To change a line, tap it, then use the phrases, handwriting or pinyin below; "
                  "tap ✕ to remove a line; tap “Add a line”, then draw its box on the picture. "
                  "The rest of the picture stays as it is."),
    "edit_boxes": ("新加的一行：在图上画出它的框", "A new line: draw its box on the picture"),
    "edit_apply": ("更新图案", "Update the picture"),
    "edit_undo": ("↶ 撤销上一次修改", "↶ Undo the last change"),
    "edit_next": ("就用这张，返回确认", "Use this one, back to the proof"),
    "edit_words": ("✎ 修改图上的文字", "✎ Change the words on the picture"),
    "editing_title": ("正在修改你的文字", "Changing your words"),
    "edit_version": ("修改后的图案", "After your change"),
    "edit_original": ("你选的原图", "The picture you chose"),
    "proof_title": ("确认打印效果", "Check your souvenir"),
    "front": ("正面", "Front"),
    "back_side": ("背面", "Back"),
    "show_guides": ("显示裁切线和安全区", "Show trim line and safe area"),
    "guides_legend": ("蓝线：裁切位置；品红线：文字安全区", "Blue: where it is cut; magenta: safe area for text"),
    "consent": ("我知道此图案由 AI 生成并会标注“AI 生成”，打印后不退不换。",
                "I understand this image is AI-generated and labelled as such, and there are no "
                "refunds after printing."),
    "submit": ("提交打印", "Send to print"),
    "submit_failed": ("提交失败：{reason}", "Could not send: {reason}"),
    "done_title": ("完成！请到礼品店出示取件号", "Done! Show this number at the museum shop"),
    "ticket": ("取件号", "Your ticket"),
    "done_body": ("工作人员审核后即可打印。", "Staff will check and print it for you."),
    "new_design": ("再做一个", "Make another"),
    "idle_notice": ("长时间无操作，已返回首页", "Back to the start after a pause"),
    # words step: per-line direction, hints and the idle warning
    "horizontal": ("横排", "Horizontal text"),
    "remove_line_short": ("✕ 删除", "✕ Remove"),
    "boxes_hint_no_guide": ("用手指从框的一角拖到对角。第 1 个框放第 1 行，依此类推。",
                            "Drag a finger from one corner to the opposite corner. Box 1 holds "
                            "line 1, and so on."),
    "submit_why": ("请先勾选上面的方框表示同意，才能提交打印", "Tick the box above to agree, then you can send it to print"),
    "idle_warning": ("还在吗？{s} 秒后将回到首页，你的设计会被清除。",
                     "Still there? In {s} s the kiosk goes back to the start and your design is cleared."),
    "still_here": ("我还在", "I'm still here"),
}


def t(key: str, lang: str = DEFAULT_LANG, **fmt) -> str:
    zh, en = STRINGS[key]
    text = zh if lang == "zh" else en
    return text.format(**fmt) if fmt else text


def other(lang: str) -> str:
    return "en" if lang == "zh" else "zh"
