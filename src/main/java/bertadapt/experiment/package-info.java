/**
 * The four adaptation strategies end to end, as a resumable grid over seeds.
 *
 * <ol>
 *   <li>{@code baseline}: the pretrained encoder frozen, a head trained on its cached features;</li>
 *   <li>{@code adaptive}: masked-LM adaptation on in-domain text, then a head on the frozen adapted encoder;</li>
 *   <li>{@code behavioural}: full fine-tuning;</li>
 *   <li>{@code adaptive+behavioural}: adaptation, then full fine-tuning of the adapted model.</li>
 * </ol>
 * A fine-tuning strategy may freeze the bottom of the encoder ({@code behavioural[freeze=6]}). The adaptation runs
 * once per seed and both adaptive strategies start from it.
 *
 * <p>An experiment is a YAML spec ({@link bertadapt.experiment.ExperimentSpec}; every key and its default in
 * {@code experiments/README.md}). Three ways to run one:
 * <ul>
 *   <li>the command line: {@code ./bertadapt experiment run experiments/quick.yaml};</li>
 *   <li>from an IDE, a {@code main} per shipped spec, run with no arguments from the repository root:
 *       {@link bertadapt.experiment.QuickExperiment}, {@link bertadapt.experiment.MrpcExperiment},
 *       {@link bertadapt.experiment.MedicalQuestionPairsExperiment}, {@link bertadapt.experiment.AgNewsExperiment},
 *       {@link bertadapt.experiment.ImdbExperiment};</li>
 *   <li>Java: {@code ExperimentRunner.run(ExperimentSpec.read(Path.of("experiments/quick.yaml")))}, or a spec built
 *       from YAML text with {@link bertadapt.experiment.ExperimentSpec#parse}.</li>
 * </ul>
 *
 * <p>Output, under the spec's {@code output} folder: {@code model-K-layers/} (when {@code model_layers} > 0),
 * {@code seed-S/adaptation/} (the adaptation: {@code best/}, {@code report.json}) and {@code seed-S/STRATEGY/} (the
 * task run: checkpoints, {@code best/}, {@code metrics.jsonl}, {@code report.json} and {@code run.json}, described
 * by {@link bertadapt.experiment.RunRecord}). Running a spec again skips runs that have a {@code run.json} and
 * resumes the others from their last checkpoint.
 *
 * <p>A head or loss of your own implements {@link bertadapt.model.Heads.ClassifierHead}; from Java, run
 * {@code ExperimentRunner.run(spec.withTask(spec.task().withHead(myHead)))}. A new built-in head added to
 * {@link bertadapt.model.Heads.ClassifierType} becomes a value of {@code task.head}.
 */
package bertadapt.experiment;
