package bertadapt.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Large Movie Review Dataset in its original {@code aclImdb/} layout: {@code {train,test}/{pos,neg}/ID_RATING.txt}
 * labelled {@code pos}/{@code neg}, and {@code train/unsup/} without labels for domain adaptation. Reviews are read
 * only as a stream is consumed; HTML line breaks ({@code <br />}) become spaces. Files are ordered by folder
 * ({@code neg} before {@code pos}) and then numerically by ID, so every run sees the same order.
 */
public final class ImdbReader {

    private static final Pattern FILE_NAME = Pattern.compile("(\\d+)_(\\d+)\\.txt");
    private static final LabelVocabulary LABELS = LabelVocabulary.of(List.of("neg", "pos"));

    private ImdbReader() {
    }

    public static LabelVocabulary labels() {
        return LABELS;
    }

    /** Reads the labelled train and test splits into memory (50,000 reviews, about 65 MB of text). */
    public static LabelledDataset read(Path aclImdb, BadRows badRows) {
        Map<Split, List<Example>> splits = new EnumMap<>(Split.class);
        for (Split split : List.of(Split.TRAIN, Split.TEST)) {
            try (Stream<Example> examples = stream(aclImdb, split, badRows)) {
                splits.put(split, examples.toList());
            }
        }
        return new LabelledDataset("imdb", splits, LABELS);
    }

    /**
     * The reviews of {@code split}: {@link Split#TRAIN} or {@link Split#TEST} (labelled), or {@link Split#UNLABELLED}
     * ({@code train/unsup}, 50,000 reviews for masked-language-model adaptation).
     */
    public static Stream<Example> stream(Path aclImdb, Split split, BadRows badRows) {
        List<ReviewFile> files = switch (split) {
            case TRAIN, TEST -> {
                List<ReviewFile> labelled = new ArrayList<>();
                for (String label : LABELS.names()) {
                    labelled.addAll(list(aclImdb.resolve(split.id()).resolve(label), label, badRows));
                }
                yield labelled;
            }
            case UNLABELLED -> list(aclImdb.resolve("train").resolve("unsup"), null, badRows);
            case VALIDATION -> throw new IllegalArgumentException("IMDb has no validation split; carve one from "
                    + "train with Splits.withValidation");
        };
        return files.stream().map(file -> read(file, badRows)).flatMap(Optional::stream);
    }

    private record ReviewFile(Path path, long id, String label) {
    }

    private static List<ReviewFile> list(Path folder, String label, BadRows badRows) {
        if (!Files.isDirectory(folder)) {
            throw new DatasetFormatException(folder + ": expected a folder of ID_RATING.txt reviews (the aclImdb "
                    + "layout {train,test}/{pos,neg}, train/unsup)");
        }
        List<ReviewFile> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path path : (Iterable<Path>) entries::iterator) {
                Matcher name = FILE_NAME.matcher(path.getFileName().toString());
                if (name.matches()) {
                    files.add(new ReviewFile(path, Long.parseLong(name.group(1)), label));
                } else {
                    badRows.reject(path.toString(), "expected a review file named ID_RATING.txt");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + folder + ": " + e.getMessage(), e);
        }
        files.sort(Comparator.comparingLong(ReviewFile::id));
        return files;
    }

    private static Optional<Example> read(ReviewFile file, BadRows badRows) {
        String text;
        try {
            text = TextCleaning.imdb(Files.readString(file.path(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file.path() + ": " + e.getMessage(), e);
        }
        if (text.isEmpty()) {
            badRows.reject(file.path().toString(), "empty review; expected a non-empty text");
            return Optional.empty();
        }
        return Optional.of(new Example(text, null, file.label(), file.path().toString()));
    }
}
