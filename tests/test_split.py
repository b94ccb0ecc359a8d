from alsoask.split import count_words, split_passages, split_sentences

TEXT = (
    "# Reset your password\n"
    "To reset it, open Settings\nand click Reset. Then wait for the e-mail.\n\n"
    "- first item\n- second item\n\n"
    "Priština is the capital of Kosovo. Smith lived in Washington, D.C. in 1999."
)


def test_sentences_keep_offsets_and_respect_line_structure():
    spans = split_sentences(TEXT)
    sentences = [TEXT[a:b] for a, b in spans]
    assert sentences == [
        "# Reset your password",
        "To reset it, open Settings\nand click Reset.",  # a hard-wrapped line is not a boundary
        "Then wait for the e-mail.",
        "- first item",
        "- second item",
        "Priština is the capital of Kosovo.",
        "Smith lived in Washington, D.C. in 1999.",
    ]


def test_passages_are_sentence_aligned_and_sized():
    paragraph = " ".join(f"Sentence number {i} talks about the topic at some length here." for i in range(60))
    text = "\n\n".join([paragraph, paragraph])
    passages = split_passages(text)
    assert len(passages) > 4
    sentence_starts = {a for a, _ in split_sentences(text)}
    sentence_ends = {b for _, b in split_sentences(text)}
    for p in passages:
        assert p.start in sentence_starts and p.end in sentence_ends
        assert count_words(text, (p.start, p.end)) <= 150
    assert all(count_words(text, (p.start, p.end)) >= 100 for p in passages[:-1])
    # passages cover every sentence once, in order
    covered = [s for p in passages for s in p.sentences]
    assert covered == split_sentences(text)


def test_short_document_is_one_passage():
    passages = split_passages("Kosovo declared independence in 2008. Serbia does not recognise it.")
    assert len(passages) == 1 and passages[0].start == 0
