package bertadapt.pretrain;

import java.util.Collections;
import java.util.List;
import java.util.random.RandomGenerator;

/** Fisher-Yates shuffles driven by a {@link RandomGenerator} ({@link Collections#shuffle} takes only a {@code Random}). */
final class Shuffling {

    private Shuffling() {
    }

    static void shuffle(int[] values, int count, RandomGenerator random) {
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }

    static void shuffle(List<?> values, RandomGenerator random) {
        for (int i = values.size() - 1; i > 0; i--) {
            Collections.swap(values, i, random.nextInt(i + 1));
        }
    }
}
