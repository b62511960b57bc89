/**
 * Labelled datasets for fine-tuning and domain adaptation: value types ({@link bertadapt.data.Example},
 * {@link bertadapt.data.LabelledDataset}, {@link bertadapt.data.LabelVocabulary}), readers for the datasets the
 * project ships in {@code datasets/} (MRPC, Medical Question Pairs, AG News) and fetches (IMDb), a generic
 * CSV/TSV/JSONL reader, seeded stratified splits and subsets, and a registry of the known datasets by name.
 *
 * <p>Every delimited file is parsed with Apache Commons CSV. A malformed row stops the read with a
 * {@link bertadapt.data.DatasetFormatException} naming file, line and expectation, unless the caller passes a
 * skipping {@link bertadapt.data.BadRows}, which counts the rows and keeps the first reasons for the run's report.
 */
package bertadapt.data;
