"""Vietnamese text as the grouping sees it: one form whatever the keyboard, encoding or spelling habit."""

import unicodedata

import pytest

from vanphong.consultation.engine.lexicon import content_tokens
from vanphong.consultation.engine.text import canonical_syllable, clean, fold, has_diacritics, segment, syllables


def test_clean_composes_decomposed_text_and_fixes_legacy_letters():
    decomposed = unicodedata.normalize("NFD", "Quyết định")
    assert decomposed != "Quyết định"
    assert clean(decomposed) == "Quyết định"
    assert clean("\u00d0iều 5\u00a0 khoản\u200b 2") == "Điều 5 khoản 2"  # Icelandic eth from old fonts, odd spaces


@pytest.mark.parametrize(("old", "new"), [("hòa", "hoà"), ("thủy", "thuỷ"), ("khỏe", "khoẻ"), ("Hóa", "hoá"), ("qúy", "quý")])
def test_old_and_new_tone_placement_are_one_syllable(old, new):
    assert canonical_syllable(old) == canonical_syllable(new)


def test_tone_marks_still_tell_words_apart():
    assert canonical_syllable("bỏ") != canonical_syllable("bổ")
    assert syllables("Bỏ KHOẢN 2, bổ sung!") == ["bỏ", "khoản", "2", "bổ", "sung"]


def test_fold_and_diacritics():
    assert fold("Đề nghị BỔ SUNG") == "de nghi bo sung"
    assert has_diacritics("Điều 5") and not has_diacritics("de nghi bo sung dieu 5")


def test_segmentation_runs_offline_with_pyvi_and_joins_compound_words():
    words = segment("Đề nghị bổ sung trách nhiệm của cơ quan nhà nước.")
    assert "cơ_quan" in words or "cơ_quan_nhà_nước" in words
    assert "trách_nhiệm" in words


def test_courtesy_is_dropped_and_synonyms_meet():
    polite = content_tokens(syllables("Kính đề nghị Ban soạn thảo bãi bỏ khoản 2."))
    blunt = content_tokens(syllables("Bỏ khoản 2"))
    assert polite == blunt
    unaccented = content_tokens(syllables("de nghi loai bo khoan 2"))
    assert unaccented[0] == blunt[0]  # "loại bỏ" typed without diacritics is still "bỏ"
    assert content_tokens(syllables("không khả thi")) != content_tokens(syllables("khả thi"))


def test_diacritics_typed_without_are_put_back_from_the_consultations_own_texts():
    from vanphong.consultation.engine.text import AccentRestorer

    restorer = AccentRestorer().learn(syllables(t) for t in [
        "Kiến nghị nhập điều này vào Điều 43 cho gọn.", "Đề nghị bỏ khoản 2 vì không khả thi.", "Đề nghị bổ sung chế tài."])
    assert restorer.restore(syllables("de nghi bo khoan 2, de nghi bo sung che tai")) == syllables(
        "đề nghị bỏ khoản 2, đề nghị bổ sung chế tài")
    assert restorer.restore(syllables("xyz abc")) == ["xyz", "abc"]  # never seen: left as typed


def test_fast_segmenter_cuts_with_the_compounds_pyvi_found_and_its_lexicon():
    from vanphong.consultation.engine.text import Segmenter

    segmenter = Segmenter(["Đề nghị bổ sung trách nhiệm của cơ quan nhà nước."])
    words = segmenter.segment("Cần làm rõ trách nhiệm của cơ quan nhà nước về công khai thông tin")
    assert {"trách_nhiệm", "cơ_quan", "nhà_nước", "công_khai", "thông_tin"} <= set(words)
    assert "của" in words and "về" in words
