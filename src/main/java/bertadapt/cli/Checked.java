package bertadapt.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Converters that reject out-of-range numbers while picocli parses, so the error names the option and the value
 * (e.g. {@code Invalid value for option '--batch-size': must be at least 1, not 0}) before any model loads.
 */
final class Checked {

    private Checked() {
    }

    static final class Positive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return require(Integer.parseInt(value), v -> v >= 1, "at least 1");
        }
    }

    static final class NonNegative implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return require(Integer.parseInt(value), v -> v >= 0, "at least 0");
        }
    }

    static final class NonNegativeLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return require(Long.parseLong(value), v -> v >= 0, "at least 0");
        }
    }

    static final class PositiveReal implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return require(Double.parseDouble(value), v -> v > 0, "more than 0");
        }
    }

    static final class NonNegativeReal implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return require(Double.parseDouble(value), v -> v >= 0, "at least 0");
        }
    }

    static final class Fraction implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return require(Double.parseDouble(value), v -> v >= 0 && v <= 1, "between 0 and 1");
        }
    }

    private static <T extends Number> T require(T value, java.util.function.Predicate<T> ok, String expected) {
        if (!ok.test(value)) {
            throw new TypeConversionException("must be " + expected + ", not " + value);
        }
        return value;
    }
}
