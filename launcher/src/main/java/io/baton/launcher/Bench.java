package io.baton.launcher;

import static io.baton.launcher.Main.say;

import io.baton.launcher.Stack.Service;
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

    static void main(String[] args) throws Exception {
        int runs = 3;
        List<String> engines = new ArrayList<>(List.of("postgresql", "mariadb"));
        for (int i = 1; i < args.length; i++) {
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
