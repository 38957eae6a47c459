package io.baton.launcher;

import static io.baton.launcher.Main.say;

import io.baton.launcher.Stack.Service;
import io.baton.launcher.bench.SagaBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./baton bench}: N database upgrades per engine on real local pairs, each under write load, and the figures
 * that matter to the application: writes acknowledged, failed and lost, and how long writes stood still.
 */
final class Bench {

    private Bench() {}

    /**
     * {@code ./baton bench faults}: the fault campaign on the sim fleet, two replicas of every service, Baton's
     * defaults (leases of 10 s); exits 1 when an invariant broke.
     */
    private static void faults(String[] args) throws Exception {
        long seed = System.currentTimeMillis() % 1_000_000;
        int upgrades = 200;
        int parallel = 10;
        for (int i = 2; i + 1 < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--upgrades" -> upgrades = Integer.parseInt(args[++i]);
                case "--parallel" -> parallel = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path home =
                Path.of(System.getProperty("baton.home", ".")).toAbsolutePath().normalize();
        say(
                """
                ./baton bench faults: upgrades of both runbooks on the sim fleet, two replicas of each service, while
                a chaos loop (every 2-6 s) kills a random replica with SIGKILL (started again 0-4 s later), freezes
                Baton's PostgreSQL (SIGSTOP, 1-3 s) or restarts the Kafka broker (away 1-3 s). About half the
                upgrades have a step that fails, an undo that fails half the time, or a slow step. Each ended
                upgrade is checked: a reason when it did not complete, no instance action twice, never two writable
                masters, a completed one left only its new servers, a rolled back one left the deployment as it was
                (servers, inputs, arrays, write path, balancer, schema) and nothing it launched.""");
        try (Stack stack = Stack.start(new Stack.Options(
                home, Stack.anyPorts(), 0, 0, home.resolve(".baton/bench-faults"), false, Map.of()))) {
            Main.signIn(stack);
            io.baton.launcher.bench.FaultCampaign.Report report = io.baton.launcher.bench.FaultCampaign.run(
                    stack,
                    new io.baton.launcher.bench.FaultCampaign.Settings(
                            seed, upgrades, parallel, java.time.Duration.ofMinutes(5)),
                    Main::say);
            report.chaos().forEach(c -> say("  chaos: " + c));
            report.unplanned().forEach(u -> say("  ended otherwise than planned: " + u));
            report.violations().forEach(v -> say("  VIOLATION: " + v));
            say(report.summary());
            if (!report.violations().isEmpty()) {
                System.exit(1);
            }
        }
    }

    static void main(String[] args) throws Exception {
        if (args.length > 1 && args[1].equals("saga")) {
            SagaBench.main(args);
            return;
        }
        if (args.length > 1 && args[1].equals("faults")) {
            faults(args);
            return;
        }
        boolean app = args.length > 1 && args[1].equals("app");
        int runs = 3;
        List<String> engines = new ArrayList<>(List.of("postgresql", "mariadb"));
        for (int i = app || (args.length > 1 && args[1].equals("db")) ? 2 : 1; i < args.length; i++) {
            if (args[i].equals("--runs") && i + 1 < args.length) {
                runs = Integer.parseInt(args[++i]);
            } else if (args[i].equals("--engine") && i + 1 < args.length) {
                engines = List.of(args[++i]);
            }
        }
        Main.requireRealServers();
        Path home =
                Path.of(System.getProperty("baton.home", ".")).toAbsolutePath().normalize();
        Path root = Files.createTempDirectory(Path.of("/tmp"), "baton-bench-");
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            ports.put(s, 0);
        }
        say("starting Baton on the local cloud (servers under " + root + ")");
        try (Stack stack = Stack.start(
                new Stack.Options(home, ports, 0, 0, home.resolve(".baton/bench"), false, Stack.localCloud(root)))) {
            Main.signIn(stack);
            if (app) {
                applications(stack, runs);
                return;
            }
            say(
                    """
                    each run: register a master and its replica (real processes), start a writer that inserts one
                    numbered row per autocommit transaction through the write path (PgBouncer for PostgreSQL, the
                    published master for MariaDB) with a 1 ms pause between writes, run the database upgrade (a
                    minor change: new slave, catch-up, switchover, backup, new slave, retire the old pair), stop the
                    writer, then read every row back from the final master.
                      acked   writes whose INSERT returned success
                      failed  writes that returned an error (retried as the next number on a new connection)
                      lost    acknowledged writes not on the final master
                      stall   the longest time between two consecutive acknowledgements
                      p99     99th percentile of one acknowledged write, from its start to its ack
                      fence   how long Baton held (PostgreSQL) or refused (MariaDB) writes, as it measured""");
            for (String engine : engines) {
                List<RealUpgrade.Outcome> outcomes = new ArrayList<>();
                for (int i = 1; i <= runs; i++) {
                    RealUpgrade upgrade = new RealUpgrade(stack, engine, "bench-" + engine.substring(0, 2) + "-" + i);
                    upgrade.prepare();
                    RealUpgrade.Outcome o = upgrade.finish(upgrade.start());
                    outcomes.add(o);
                    say(String.format(
                            "%-10s run %d: %-9s acked %6d  failed %4d  lost %d  stall %5d ms  p99 %6.1f ms  fence %s ms",
                            engine,
                            i,
                            o.state(),
                            o.load().acknowledged(),
                            o.load().failed(),
                            o.lost(),
                            o.load().maxStallMillis(),
                            o.load().p99LatencyMillis(),
                            o.proof().get("writeFenceMillis")));
                    if (o.failure() != null) {
                        say("           " + o.failure());
                    }
                }
                summarize(engine, outcomes);
            }
        }
    }

    private static void applications(Stack stack, int runs) throws Exception {
        say(
                """
                each run: register a site on the local cloud (a PostgreSQL pair, app-1 and app-2 running the demo
                application at v1.4.2, lb-1 an HAProxy in front of them), start four clients that each send
                GET / through lb-1 on keep-alive connections, one request after another with a 1 ms pause (a busy
                site, not a saturation test: the upgrade needs CPU on the same two cores), measure for 5 s, run the
                application upgrade (v1.5.0 on new servers, attach after the health check, drain, wait for
                sessions to reach 0, detach, terminate), stop the clients when it ends.
                  requests  every request sent, before, during and right after the upgrade
                  failed    requests without an answer or with a status other than 200
                  before    latency (p50/p99) of requests started in the 5 s before the upgrade
                  during    latency (p50/p99) of requests started while the upgrade ran
                  drain     how long the drain waited for the old servers' sessions (scur) to reach 0""");
        long requests = 0;
        long failed = 0;
        double worstRatio = 0;
        for (int i = 1; i <= runs; i++) {
            RealSiteUpgrade site = new RealSiteUpgrade(stack, "bench-site-" + i);
            site.prepare();
            RealSiteUpgrade.Outcome o = site.finish(site.start());
            requests += o.requests();
            failed += o.failed();
            double ratio = o.during().p99Millis() / Math.max(0.001, o.before().p99Millis());
            worstRatio = Math.max(worstRatio, ratio);
            say(String.format(
                    "run %d: %-9s requests %6d  failed %d  before p50/p99 %5.1f/%6.1f ms  during p50/p99 %5.1f/%6.1f ms"
                            + " (p99 x%.2f)  drain %s ms",
                    i,
                    o.state(),
                    o.requests(),
                    o.failed(),
                    o.before().p50Millis(),
                    o.before().p99Millis(),
                    o.during().p50Millis(),
                    o.during().p99Millis(),
                    ratio,
                    o.drainMillis()));
            if (o.failure() != null) {
                say("       " + o.failure());
            }
        }
        say(String.format(
                "%d runs: %d requests, %d failed; worst p99 during / p99 before: %.2f",
                runs, requests, failed, worstRatio));
    }

    private static void summarize(String engine, List<RealUpgrade.Outcome> outcomes) {
        long acked = 0;
        long failed = 0;
        long lost = 0;
        List<Long> stalls = new ArrayList<>();
        double p99 = 0;
        int completed = 0;
        for (RealUpgrade.Outcome o : outcomes) {
            acked += o.load().acknowledged();
            failed += o.load().failed();
            lost += o.lost();
            stalls.add(o.load().maxStallMillis());
            p99 = Math.max(p99, o.load().p99LatencyMillis());
            completed += o.state().equals("COMPLETED") ? 1 : 0;
        }
        stalls.sort(null);
        say(String.format(
                "%-10s %d of %d completed; writes %d acknowledged, %d failed, %d lost; longest stall: max %d ms,"
                        + " median %d ms; worst write p99 %.1f ms",
                engine,
                completed,
                outcomes.size(),
                acked,
                failed,
                lost,
                stalls.get(stalls.size() - 1),
                stalls.get(stalls.size() / 2),
                p99));
    }
}
