package bertadapt.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A byte-count progress bar on stderr, or nothing when disabled. Progress is a courtesy: if the terminal library
 * cannot start (odd environments, no TTY) the transfer carries on without a bar instead of failing.
 */
public final class ByteProgress implements AutoCloseable {

    private static final long MIB = 1L << 20;
    /** Without a terminal there is no width to fit; logs can take a full line. */
    private static final int NON_TTY_LINE_LENGTH = 120;

    private final ProgressBar bar;

    private ByteProgress(ProgressBar bar) {
        this.bar = bar;
    }

    /** @param totalBytes expected size, or a negative number when unknown */
    public static ByteProgress start(String task, long totalBytes, boolean enabled) {
        if (!enabled) {
            return new ByteProgress(null);
        }
        try {
            ProgressBarBuilder builder = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(totalBytes > 0 ? totalBytes : -1)
                    .setUnit("MiB", MIB)
                    .showSpeed();
            if (System.console() == null) {
                // Logs and CI: plain ASCII, no cursor movement, and fewer redraws so logs stay readable.
                builder.setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new ConsoleProgressBarConsumer(System.err, NON_TTY_LINE_LENGTH))
                        .setUpdateIntervalMillis(5_000);
            }
            return new ByteProgress(builder.build());
        } catch (RuntimeException | LinkageError e) {
            return new ByteProgress(null);
        }
    }

    public void advance(long bytes) {
        if (bar != null) {
            bar.stepBy(bytes);
        }
    }

    /** Shows the task as done, for readers that legitimately stop before the last byte (a zip's directory). */
    public void complete() {
        if (bar != null && bar.getMax() > 0) {
            bar.stepTo(bar.getMax());
        }
    }

    /** Wraps {@code in} so that every byte read advances this bar. */
    public InputStream track(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    advance(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    advance(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(n);
                advance(skipped);
                return skipped;
            }
        };
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
