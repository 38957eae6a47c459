package io.baton.launcher.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CLI's way to Baton's REST API: the planner's and cloud-service's addresses and the caller's token come from
 * the environment; a refusal becomes a {@link Refused} carrying the problem's words.
 */
final class Api {

    static final ObjectMapper JSON = io.baton.contracts.Json.mapper();

    /** An answer other than 2xx, with the problem document's title, detail and errors when it sent one. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A page of a list and the address of the next one (null on the last). */
    record Page(JsonNode items, String next) {}

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String planner;
    private final String cloud;
    private final String token;

    Api(String planner, String cloud, String token) {
        this.planner = strip(planner);
        this.cloud = strip(cloud);
        this.token = token;
    }

    /** From BATON_URL, BATON_CLOUD_URL and BATON_TOKEN (or the local stack's ports). */
    static Api fromEnvironment(Map<String, String> env) throws Refused {
        String token = env.get("BATON_TOKEN");
        if (token == null || token.isBlank()) {
            throw new Refused(
                    0,
                    "no token: set BATON_TOKEN, e.g. export BATON_TOKEN=$(./baton token --role viewer,operator,approver)"
                            + " on the local stack, or a token from your identity provider");
        }
        String planner =
                env.getOrDefault("BATON_URL", "http://127.0.0.1:" + env.getOrDefault("BATON_PLANNER_PORT", "7070"));
        String cloud =
                env.getOrDefault("BATON_CLOUD_URL", "http://127.0.0.1:" + env.getOrDefault("BATON_CLOUD_PORT", "7071"));
        return new Api(planner, cloud, token.strip());
    }

    String planner() {
        return planner;
    }

    JsonNode get(String url) throws Refused {
        return json(send(HttpRequest.newBuilder(URI.create(url)).GET(), url).body());
    }

    Page page(String url) throws Refused {
        HttpResponse<String> response =
                send(HttpRequest.newBuilder(URI.create(url)).GET(), url);
        String next = response.headers()
                .firstValue("Link")
                .filter(l -> l.contains("rel=\"next\""))
                .map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>')))
                .map(l -> URI.create(url).resolve(l).toString())
                .orElse(null);
        if (next != null && !next.startsWith(planner + "/")) {
            // the token goes only where BATON_URL says
            throw new Refused(0, "the next page is at " + next + ", not under " + planner + "; not following it");
        }
        return new Page(json(response.body()), next);
    }

    /** Every page of a list, followed to its end. */
    List<JsonNode> all(String url) throws Refused {
        List<JsonNode> items = new ArrayList<>();
        for (String next = url; next != null; ) {
            Page page = page(next);
            page.items().forEach(items::add);
            next = page.next();
        }
        return items;
    }

    JsonNode post(String url, String body) throws Refused {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
        return json(send(request, url).body());
    }

    String upgrades() {
        return planner + "/upgrades";
    }

    String deployments() {
        return cloud + "/deployments";
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String url) throws Refused {
        HttpResponse<String> response;
        try {
            response = http.send(
                    request.header("Authorization", "Bearer " + token)
                            .header("Accept", "application/json")
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new Refused(
                    0,
                    "nothing answers at " + URI.create(url).resolve("/")
                            + ": is Baton up? (./baton up; BATON_URL / BATON_CLOUD_URL say where it is)");
        } catch (HttpTimeoutException e) {
            throw new Refused(0, url + " did not answer within 30 s");
        } catch (IOException e) {
            throw new Refused(0, "could not reach " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused(0, "interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            throw new Refused(response.statusCode(), problem(response));
        }
        return response;
    }

    /** What a refusal says: the problem's title, detail and errors, or the status and the start of the body. */
    private static String problem(HttpResponse<String> response) {
        try {
            JsonNode p = JSON.readTree(response.body());
            StringBuilder text = new StringBuilder(p.path("title").asText("HTTP " + response.statusCode()) + " ("
                    + response.statusCode() + "): " + p.path("detail").asText(""));
            for (JsonNode error : p.path("errors")) {
                text.append("\n  - ").append(error.asText());
            }
            if (p.hasNonNull("type")) {
                text.append("\n  see ").append(p.get("type").asText());
            }
            return text.toString();
        } catch (IOException | RuntimeException e) {
            String body = response.body() == null ? "" : response.body().strip();
            return "HTTP " + response.statusCode()
                    + (body.isEmpty() ? "" : ": " + body.substring(0, Math.min(200, body.length())));
        }
    }

    private static JsonNode json(String body) throws Refused {
        try {
            return JSON.readTree(body == null || body.isBlank() ? "null" : body);
        } catch (IOException e) {
            throw new Refused(0, "Baton answered something that is not JSON: " + e.getMessage());
        }
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
