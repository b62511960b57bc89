package bertadapt.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The datasets the project knows by name, and how each is loaded from the {@code datasets/} folder. All but
 * {@code imdb} are committed to the repository; {@code imdb} is fetched with {@code dataset fetch imdb}
 * ({@link DatasetFetcher}). Wherever a name is taken, so is the path of a {@link TableDataset} description.
 */
public final class DatasetRegistry {

    /** What the CLI calls the command that downloads a dataset; used in error messages. */
    public static final String FETCH_COMMAND = "dataset fetch";

    /**
     * How to load.
     *
     * @param resplitFractions the splits made, stratified, for a dataset published without splits (MQP)
     * @param splitSeed seeds that re-split
     */
    public record Options(BadRows badRows, Map<Split, Double> resplitFractions, long splitSeed) {

        public Options {
            Objects.requireNonNull(badRows, "badRows");
            resplitFractions = Map.copyOf(resplitFractions);
        }

        /** Failing on bad rows; MQP split 80/20 train/test with seed 42 (the split of the project's measured run). */
        public static Options defaults() {
            return new Options(BadRows.fail(), Map.of(Split.TRAIN, 0.8, Split.TEST, 0.2), 42);
        }

        public Options withBadRows(BadRows rows) {
            return new Options(rows, resplitFractions, splitSeed);
        }

        public Options withSplitSeed(long seed) {
            return new Options(badRows, resplitFractions, seed);
        }
    }

    /** A dataset by name: where it lives under {@code datasets/} and how it is read. */
    enum Known {
        MRPC("mrpc", List.of(), "mrpc", false) {
            @Override
            LabelledDataset load(Path folder, Options options) {
                return MrpcReader.read(folder, options.badRows());
            }
        },
        MEDICAL_QUESTION_PAIRS("medical-question-pairs", List.of("mqp"), "medical-question-pairs", false) {
            @Override
            LabelledDataset load(Path folder, Options options) {
                List<Example> all = MedicalQuestionPairsReader.read(folder.resolve("mqp.csv"), options.badRows());
                return LabelledDataset.resplit(name, Splits.stratified(all, options.resplitFractions(), options.splitSeed()),
                        MedicalQuestionPairsReader.labels(), options.splitSeed());
            }
        },
        AG_NEWS("ag-news", List.of(), "ag_news/subset", false) {
            @Override
            LabelledDataset load(Path folder, Options options) {
                return AgNewsReader.readSubset(folder, options.badRows());
            }
        },
        AG_NEWS_TEST("ag-news-test", List.of(), "ag_news", false) {
            @Override
            LabelledDataset load(Path folder, Options options) {
                return AgNewsReader.readOriginalTest(folder, options.badRows());
            }
        },
        IMDB("imdb", List.of(), "imdb/aclImdb", true) {
            @Override
            LabelledDataset load(Path folder, Options options) {
                return ImdbReader.read(folder, options.badRows());
            }

            @Override
            boolean hasUnlabelled() {
                return true;
            }

            @Override
            List<Example> unlabelled(Path folder, BadRows badRows) {
                try (Stream<Example> reviews = ImdbReader.stream(folder, Split.UNLABELLED, badRows)) {
                    return reviews.toList();
                }
            }
        };

        final String name;
        final List<String> aliases;
        final String folder;
        final boolean fetched;

        Known(String name, List<String> aliases, String folder, boolean fetched) {
            this.name = name;
            this.aliases = aliases;
            this.folder = folder;
            this.fetched = fetched;
        }

        abstract LabelledDataset load(Path folder, Options options);

        /** Whether the dataset publishes texts without labels, which {@link #load} leaves out. */
        boolean hasUnlabelled() {
            return false;
        }

        List<Example> unlabelled(Path folder, BadRows badRows) {
            throw new IllegalArgumentException("Dataset '" + name + "' has no unlabelled texts");
        }

        Path folderIn(Path datasetsDir) {
            return datasetsDir.resolve(folder);
        }
    }

    private DatasetRegistry() {
    }

    /** The canonical names, e.g. {@code mrpc}; {@code mqp} is an alias of {@code medical-question-pairs}. */
    public static List<String> names() {
        return Arrays.stream(Known.values()).map(known -> known.name).toList();
    }

    /** Loads {@code name} from {@code datasetsDir} with {@link Options#defaults()}. */
    public static LabelledDataset load(String name, Path datasetsDir) {
        return load(name, datasetsDir, Options.defaults());
    }

    public static LabelledDataset load(String name, Path datasetsDir, Options options) {
        if (TableDataset.isDescription(name)) {
            return TableDataset.read(Path.of(name.trim())).load(options);
        }
        Known known = findKnownOrSayDescriptionsToo(name);
        return known.load(presentFolder(known, datasetsDir), options);
    }

    /**
     * Whether {@code name} has texts without labels for adaptation: IMDb's {@code train/unsup}, or the
     * {@code unlabelled} file of a {@link TableDataset} description.
     */
    public static boolean hasUnlabelled(String name) {
        return TableDataset.isDescription(name) ? TableDataset.read(Path.of(name.trim())).files().containsKey(Split.UNLABELLED)
                : findKnownOrSayDescriptionsToo(name).hasUnlabelled();
    }

    /** The texts without labels of {@code name}, which {@link #load} leaves out; see {@link #hasUnlabelled}. */
    public static List<Example> unlabelled(String name, Path datasetsDir, BadRows badRows) {
        if (TableDataset.isDescription(name)) {
            return TableDataset.read(Path.of(name.trim())).unlabelled(badRows);
        }
        Known known = findKnownOrSayDescriptionsToo(name);
        return known.unlabelled(presentFolder(known, datasetsDir), badRows);
    }

    private static Path presentFolder(Known known, Path datasetsDir) {
        Path folder = known.folderIn(datasetsDir);
        if (!Files.isDirectory(folder)) {
            throw new MissingDatasetException("Dataset '" + known.name + "' is not in " + folder + "; "
                    + (known.fetched ? "fetch it with: " + FETCH_COMMAND + " " + known.name
                    : "it ships with the repository: restore " + folder + " from git"));
        }
        return folder;
    }

    /** The folder {@code name} is read from, whether or not it is there. */
    public static Path folder(String name, Path datasetsDir) {
        return find(name).folderIn(datasetsDir);
    }

    /** A known dataset, for commands that take only those ({@code dataset fetch}). */
    static Known find(String name) {
        return find(name, "");
    }

    /** A known dataset, for the loads that also take a description: the error says so. */
    private static Known findKnownOrSayDescriptionsToo(String name) {
        return find(name, ", or a dataset description file (.yaml) for files of your own");
    }

    private static Known find(String name, String alsoAccepted) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (Known known : Known.values()) {
            if (known.name.equals(wanted) || known.aliases.contains(wanted)) {
                return known;
            }
        }
        throw new IllegalArgumentException("Unknown dataset '" + name + "'; known datasets: "
                + String.join(", ", names()) + " (mqp is short for medical-question-pairs)" + alsoAccepted);
    }
}
