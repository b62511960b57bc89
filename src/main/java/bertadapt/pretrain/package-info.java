/**
 * Data for masked-LM and next-sentence pre-training, built the way Google's
 * {@code create_pretraining_data.py} builds it.
 *
 * <p>The flow: a {@link bertadapt.pretrain.Corpus} streams {@link bertadapt.pretrain.Document}s; a
 * {@link bertadapt.pretrain.SequenceBuilder} turns a shard of tokenised documents into unmasked
 * {@link bertadapt.pretrain.PretrainingSequence}s (line by line, grouped text, or NSP pairs); a
 * {@link bertadapt.pretrain.Masker} masks them into {@link bertadapt.pretrain.PretrainingInstance}s
 * (freshly per call, so it also serves dynamic masking); the {@link bertadapt.pretrain.PretrainingDataGenerator}
 * drives this for K epochs and writes one {@link bertadapt.pretrain.PretrainingFileWriter file} per
 * epoch; {@link bertadapt.pretrain.PretrainingBatch} pads a list of instances into the graph's feed
 * arrays; {@link bertadapt.pretrain.MaskedLmEvaluation} scores held-out predictions.
 */
package bertadapt.pretrain;
