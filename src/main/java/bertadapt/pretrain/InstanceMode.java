package bertadapt.pretrain;

/** How documents become sequences; see the factories of {@link SequenceBuilder}. */
public enum InstanceMode {
    /** {@link SequenceBuilder#lineByLine}: one sequence per sentence (line, or text). */
    LINE_BY_LINE,
    /** {@link SequenceBuilder#groupedText}: the token stream cut into full-length blocks. */
    GROUPED_TEXT,
    /** {@link SequenceBuilder#nextSentencePairs}: Google's A/B pairs with NSP labels. */
    NEXT_SENTENCE
}
