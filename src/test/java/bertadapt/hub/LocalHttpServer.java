package bertadapt.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

/**
 * An HTTP server on 127.0.0.1 with a random port that serves canned responses per path and records every request,
 * so tests can check what was fetched (and that a cache hit fetched nothing) without touching the internet.
 */
final class LocalHttpServer implements AutoCloseable {

    /** One request as the server saw it. */
    record Request(String path, String authorization) {
    }

    /** Answers one exchange; the path is already recorded. */
    @FunctionalInterface
    interface Responder {
        void respond(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "local-http-server");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Responder> routes = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    LocalHttpServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                requests.add(new Request(path, exchange.getRequestHeaders().getFirst("Authorization")));
                Responder responder = routes.get(path);
                if (responder == null) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    responder.respond(exchange);
                }
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void serve(String path, byte[] body) {
        routes.put(path, exchange -> send(exchange, 200, body));
    }

    void serve(String path, Responder responder) {
        routes.put(path, responder);
    }

    void status(String path, int status) {
        routes.put(path, exchange -> exchange.sendResponseHeaders(status, -1));
    }

    void redirect(String path, URI location) {
        routes.put(path, exchange -> {
            exchange.getResponseHeaders().add("Location", location.toString());
            exchange.sendResponseHeaders(302, -1);
        });
    }

    static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    int requestCount() {
        return requests.size();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
