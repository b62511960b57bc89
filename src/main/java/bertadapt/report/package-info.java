/**
 * What an experiment run leaves behind: the results of every strategy and seed ({@link bertadapt.report.ExperimentResults}),
 * their statistics ({@link bertadapt.report.Significance}), and the report files written from them
 * ({@link bertadapt.report.ExperimentReport}): {@code summary.md}, {@code summary.csv}, {@code results.json} and plots.
 * Pure Java: the harness converts its ND4J results before handing them here.
 */
package bertadapt.report;
