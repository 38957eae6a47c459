package io.baton.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CLI against a planner that answers what the test says: what it sends, what it prints, and the exit code of
 * each outcome. (OperatorCliIT runs it against the real stack.)
 */
class CliTest {

    record Run(int code, String out, String err) {}

    /** A request the fake planner received. */
    record Seen(String method, String uri, String authorization, String body) {}

    HttpServer server;
    final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    /** Answers by path: each read of a path takes the next answer, the last one repeating. */
    final Map<String, List<String[]>> answers = new ConcurrentHashMap<>();

    final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String key = x.getRequestMethod() + " " + x.getRequestURI();
        seen.add(new Seen(
                x.getRequestMethod(),
                x.getRequestURI().toString(),
                x.getRequestHeaders().getFirst("Authorization"),
                body));
        List<String[]> list = answers.get(key);
        String[] a = list == null
                ? new String[] {
                    "404",
                    "{\"type\":\"https://baton.dev/problems/not-found\",\"title\":\"Not found\",\"status\":404,\"detail\":\"nothing\"}",
                    null
                }
                : list.get(Math.min(
                        reads.computeIfAbsent(key, k -> new AtomicInteger()).getAndIncrement(), list.size() - 1));
        if (a[2] != null) {
            x.getResponseHeaders().add("Link", a[2]);
        }
        x.getResponseHeaders()
                .add("Content-Type", a[0].startsWith("2") ? "application/json" : "application/problem+json");
        byte[] bytes = a[1].getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(Integer.parseInt(a[0]), bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    void on(String request, String status, String body) {
        on(request, status, body, null);
    }

    void on(String request, String status, String body, String link) {
        answers.computeIfAbsent(request, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(new String[] {status, body, link});
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Run baton(String... args) {
        return baton(Map.of("BATON_URL", url(), "BATON_CLOUD_URL", url() + "/cloud", "BATON_TOKEN", "tok"), args);
    }

    static Run baton(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(args, env, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static String upgrade(String state, String steps, String failure) {
        return "{\"id\":\"u1\",\"deployment\":\"shop\",\"kind\":\"DATABASE\",\"classification\":\"MINOR\",\"state\":\""
                + state + "\",\"failure\":" + (failure == null ? "null" : "\"" + failure + "\"")
                + ",\"createdAt\":\"2026-12-04T10:00:00Z\",\"endedAt\":"
                + (List.of("COMPLETED", "ROLLED_BACK", "FAILED").contains(state)
                        ? "\"2026-12-04T10:00:12.5Z\""
                        : "null")
                + ",\"steps\":[" + steps + "]}";
    }

    static String step(int index, String name, String outcome, String started, String ended, String details) {
        return step(index, name, outcome, started, ended, null, null, details);
    }

    static String step(
            int index,
            String name,
            String outcome,
            String started,
            String ended,
            String compensating,
            String compensated,
            String details) {
        return "{\"index\":" + index + ",\"name\":\"" + name + "\",\"owner\":\"db\",\"outcome\":\"" + outcome
                + "\",\"startedAt\":" + q(started) + ",\"endedAt\":" + q(ended) + ",\"compensationStartedAt\":"
                + q(compensating) + ",\"compensatedAt\":" + q(compensated) + ",\"details\":" + details + "}";
    }

    static String q(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }

    static final String PROMOTED =
            "{\"oldMasterFinalPosition\":\"0/3000060\",\"newMasterAppliedPosition\":\"0/3000060\","
                    + "\"writeFenceMillis\":\"42\"}";

    @Test
    void watchTellsEachStepOnceAndExitsZeroWhenItCompletes() {
        on(
                "GET /upgrades/u1",
                "200",
                upgrade("RUNNING", step(0, "PROMOTE", "RUNNING", "2026-12-04T10:00:01Z", null, "{}"), null));
        on(
                "GET /upgrades/u1",
                "200",
                upgrade("RUNNING", step(0, "PROMOTE", "RUNNING", "2026-12-04T10:00:01Z", null, "{}"), null));
        on(
                "GET /upgrades/u1",
                "200",
                upgrade(
                        "COMPLETED",
                        step(0, "PROMOTE", "COMPLETED", "2026-12-04T10:00:01Z", "2026-12-04T10:00:03.5Z", PROMOTED),
                        null));
        Run run = baton("upgrade", "watch", "u1");
        assertThat(run.code()).isEqualTo(Cli.OK);
        assertThat(run.out().lines().filter(l -> l.contains("PROMOTE (db) started")))
                .hasSize(1);
        assertThat(run.out())
                .contains("step 1/1 PROMOTE completed in 2.5 s")
                .contains("switchover: old master's final position 0/3000060, new master applied 0/3000060 (equal:"
                        + " nothing lost); writes held 42 ms")
                .contains("upgrade COMPLETED in 12.5 s");
        assertThat(seen).allSatisfy(s -> assertThat(s.authorization()).isEqualTo("Bearer tok"));
    }

    @Test
    void eachOutcomeHasItsExitCode() {
        on(
                "GET /upgrades/u1",
                "200",
                upgrade(
                        "ROLLED_BACK",
                        step(
                                0,
                                "PROMOTE",
                                "COMPENSATED",
                                "2026-12-04T10:00:01Z",
                                "2026-12-04T10:00:02Z",
                                "2026-12-04T10:00:05Z",
                                "2026-12-04T10:00:06Z",
                                "{}"),
                        null));
        Run rolledBack = baton("upgrade", "watch", "u1");
        assertThat(rolledBack.code()).isEqualTo(Cli.ROLLED_BACK);
        assertThat(rolledBack.out()).contains("PROMOTE compensation started", "PROMOTE compensated in 1.0 s");

        on(
                "GET /upgrades/u2",
                "200",
                upgrade("FAILED", "", "could not undo PROMOTE").replace("\"u1\"", "\"u2\""));
        Run failed = baton("upgrade", "watch", "u2");
        assertThat(failed.code()).isEqualTo(Cli.FAILED);
        assertThat(failed.out()).contains("upgrade FAILED in 12.5 s: could not undo PROMOTE");

        on("GET /upgrades/u3", "200", upgrade("AWAITING_APPROVAL", "", null).replace("\"u1\"", "\"u3\""));
        Run gate = baton("upgrade", "watch", "u3", "--until-approval");
        assertThat(gate.code()).isEqualTo(Cli.AWAITING_APPROVAL);
        assertThat(gate.out()).contains("./baton upgrade approve u3");

        on("GET /upgrades/u4", "200", upgrade("RUNNING", "", null).replace("\"u1\"", "\"u4\""));
        assertThat(baton("upgrade", "watch", "u4", "--timeout", "PT0.6S").code())
                .isEqualTo(Cli.TIMED_OUT);
    }

    @Test
    void startSendsTheRequestAndPrintsThePlan() {
        String plan =
                "{\"id\":\"u9\",\"deployment\":\"shop\",\"classification\":\"MINOR\",\"reason\":\"only the size\","
                        + "\"plan\":[{\"index\":0,\"name\":\"CREATE_SLAVE\",\"owner\":\"CLOUD\",\"action\":\"clone the slave\"},"
                        + "{\"index\":9,\"name\":\"TERMINATE_OLD_PAIR\",\"owner\":\"CLOUD\",\"action\":\"terminate\",\"pivot\":true}]}";
        on("POST /upgrades", "201", plan);
        on("POST /upgrades?dryRun=true", "200", plan.replace("\"u9\"", "null"));
        Run run = baton(
                "upgrade",
                "start",
                "--deployment",
                "shop",
                "--change",
                "{\"instanceSize\":\"large\"}",
                "--approval-required");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .startsWith("started u9, a MINOR upgrade of shop: only the size")
                .contains(" 1. CREATE_SLAVE", "10. TERMINATE_OLD_PAIR", "(cannot be undone)");
        assertThat(seen.get(0).body())
                .isEqualTo("{\"deployment\":\"shop\",\"kind\":\"database\",\"change\":{\"instanceSize\":\"large\"},"
                        + "\"approvalRequired\":true}");
        assertThat(baton("upgrade", "start", "--deployment", "shop", "--change", "{\"image\":\"x\"}", "--dry-run")
                        .out())
                .startsWith("would run a MINOR upgrade of shop");
        assertThat(seen.get(1).uri()).isEqualTo("/upgrades?dryRun=true");
    }

    @Test
    void listFollowsThePagesWithAll() {
        String row = "{\"id\":\"%s\",\"deployment\":\"shop\",\"kind\":\"DATABASE\",\"state\":\"COMPLETED\"}";
        on(
                "GET /upgrades?limit=2",
                "200",
                "[" + row.formatted("a") + "," + row.formatted("b") + "]",
                "</upgrades?limit=2&cursor=c2>; rel=\"next\"");
        on("GET /upgrades?limit=2&cursor=c2", "200", "[" + row.formatted("c") + "]");
        on(
                "GET /upgrades?deployment=shop&limit=2",
                "200",
                "[" + row.formatted("a") + "]",
                "<http://elsewhere.example/upgrades?limit=2&cursor=c2>; rel=\"next\"");
        Run first = baton("upgrade", "list", "--limit", "2");
        assertThat(first.out())
                .contains("a  ", "b  ")
                .doesNotContain("c  ")
                .contains("more: ./baton upgrade list --limit 2 --cursor c2");
        Run all = baton("upgrade", "list", "--limit", "2", "--all");
        assertThat(all.out().lines().filter(l -> l.contains("shop"))).hasSize(3);
        assertThat(all.out()).doesNotContain("more:");
        // a next page elsewhere than BATON_URL is not followed: the token would go there
        Run elsewhere = baton("upgrade", "list", "--deployment", "shop", "--limit", "2", "--all");
        assertThat(elsewhere.code()).isEqualTo(Cli.ERROR);
        assertThat(elsewhere.err()).contains("not following it");
        assertThat(seen).noneMatch(r -> r.uri().contains("elsewhere"));
    }

    @Test
    void refusalsSayWhatTheProblemSaysAndExitOne() {
        on(
                "POST /upgrades/u1/abort",
                "409",
                "{\"type\":\"https://baton.dev/problems/upgrade-ended\",\"title\":\"The upgrade has ended\","
                        + "\"status\":409,\"detail\":\"Upgrade u1 is COMPLETED; there is nothing left to abort.\"}");
        Run run = baton("upgrade", "abort", "u1");
        assertThat(run.code()).isEqualTo(Cli.ERROR);
        assertThat(run.err())
                .contains("The upgrade has ended (409): Upgrade u1 is COMPLETED; there is nothing left to abort.")
                .contains("see https://baton.dev/problems/upgrade-ended");

        Run noToken = baton(Map.of("BATON_URL", url()), "upgrade", "list");
        assertThat(noToken.code()).isEqualTo(Cli.ERROR);
        assertThat(noToken.err()).contains("BATON_TOKEN");

        Run nobody = baton(Map.of("BATON_URL", "http://127.0.0.1:9", "BATON_TOKEN", "t"), "upgrade", "status", "u1");
        assertThat(nobody.code()).isEqualTo(Cli.ERROR);
        assertThat(nobody.err()).contains("nothing answers at http://127.0.0.1:9/");

        assertThat(baton("upgrade", "start", "--change", "{").code()).isEqualTo(Cli.USAGE);
        assertThat(baton("upgrade", "start", "--deployment", "d", "--change", "{")
                        .err())
                .contains("--change is not JSON");
        assertThat(baton("upgrade", "watch").code()).isEqualTo(Cli.USAGE);
        assertThat(baton("upgrade", "fly").code()).isEqualTo(Cli.USAGE);
        // nothing was sent for a command line that is wrong
        assertThat(seen).hasSize(1);
    }

    @Test
    void anIdIsOnePathSegmentWhateverItHolds() {
        baton("upgrade", "status", "../deployments/x?y");
        assertThat(seen.get(0).uri()).isEqualTo("/upgrades/..%2Fdeployments%2Fx%3Fy");
    }

    @Test
    void completionCoversEveryCommand() {
        Run run = baton("completion");
        assertThat(run.code()).isZero();
        assertThat(run.out())
                .contains("upgrade", "watch", "approve", "deployments", "demo", "bench", "--until-approval")
                .endsWith("complete -F _complete_baton -o default ./baton" + System.lineSeparator());
    }
}
