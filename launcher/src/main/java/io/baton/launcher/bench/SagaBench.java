package io.baton.launcher.bench;

import static io.baton.launcher.Main.say;

import io.baton.common.Wait;
import io.baton.contracts.Json;
import io.baton.contracts.Owner;
import io.baton.contracts.ServerConfig;
import io.baton.contracts.UpgradeKind;
import io.baton.contracts.api.CreateUpgrade;
import io.baton.contracts.api.RegisterDeployment;
import io.baton.launcher.Main;
import io.baton.launcher.Stack;
import io.baton.launcher.Stack.Service;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code ./baton bench saga}: how fast the choreography itself is, with the sim fleet's latencies at 0, so that what
 * is measured is Baton (Kafka hops, transactions, the outbox) and not the servers it drives.
 */
public final class SagaBench {

    /** The sim with nothing to wait for: actions, boots, backups, catch-up and health checks take no time. */
    static final Map<String, String> NO_LATENCY = Map.of(
            "baton.cloud.sim.action-latency", "PT0S",
            "baton.cloud.sim.boot-time", "PT0S",
            "baton.cloud.sim.snapshot-time", "PT0S",
            "baton.db.sim.catch-up-time", "PT0S",
            "baton.db.sim.write-rate", "0",
            "baton.lb.sim.health-check-delay", "PT0S");

    private final Stack stack;
    private final EventLog log;
    private final RegisterDeployment sample;
    private final AtomicInteger deployments = new AtomicInteger();

    private SagaBench(Stack stack, EventLog log, RegisterDeployment sample) {
        this.stack = stack;
        this.log = log;
        this.sample = sample;
    }

    public static void main(String[] args) throws Exception {
        int warmUp = option(args, "--warm-up", 20);
        int sequential = option(args, "--sequential", 30);
        int concurrent = option(args, "--concurrent", 1000);
        int killed = option(args, "--kill-run", 100);
        Path home =
                Path.of(System.getProperty("baton.home", ".")).toAbsolutePath().normalize();
        Map<Service, Integer> ports = new EnumMap<>(Service.class);
        for (Service s : Service.values()) {
            ports.put(s, 0);
        }
        say(
                """
                ./baton bench saga: the choreography's own speed on the sim fleet, every sim latency at 0
                  startup  from starting Kafka and PostgreSQL to all four services ready (as ./baton up)
                  hop      from the record that hands a step the baton (upgrade requested, or the step before
                           completed) to the record announcing the step started, each stamped by the producer of
                           the service that published it: relay, broker, consumer, decision and commit in between
                  delivery from a record's producer stamp to a plain consumer (the bench's own) having it:
                           Kafka's part of a hop at this load, with no saga code in it
                  rss      resident memory of each service process, the highest seen during the run""");
        long started = System.nanoTime();
        try (Stack stack = Stack.start(
                new Stack.Options(home, ports, 0, 0, home.resolve(".baton/bench-saga"), false, NO_LATENCY))) {
            Main.signIn(stack);
            say(String.format("startup: %.1f s to Kafka, PostgreSQL and four services ready", seconds(started)));
            RegisterDeployment sample;
            try (InputStream in = SagaBench.class.getResourceAsStream("/sample-deployment.json")) {
                sample = Json.read(new String(in.readAllBytes()), RegisterDeployment.class);
            }
            try (EventLog log = new EventLog(stack.bootstrapServers())) {
                SagaBench bench = new SagaBench(stack, log, sample);
                bench.warmUp(warmUp);
                if (sequential > 0) {
                    bench.oneAtATime(sequential);
                }
                if (concurrent > 0) {
                    bench.allAtOnce(concurrent);
                }
                if (killed > 0) {
                    bench.killAndRestart(killed, Service.CLOUD);
                }
            }
        }
    }

    /** Upgrades run and not counted: the services' code is compiled by the JIT before anything is measured. */
    private void warmUp(int count) throws Exception {
        List<String> names = parallel(count, i -> register());
        awaitEnd(parallel(count, i -> start(names.get(i))), Duration.ofSeconds(120));
        say("warm-up: " + count + " upgrades run and not counted");
    }

    /** (a) Upgrades one after another: the hop latency with nothing else going on. */
    private void oneAtATime(int count) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = start(register());
            awaitEnd(List.of(id), Duration.ofSeconds(60));
            ids.add(id);
        }
        List<Long> hops = new ArrayList<>();
        List<Long> toDecision = new ArrayList<>();
        List<Long> delivery = new ArrayList<>();
        ids.forEach(id -> {
            hops.addAll(log.hops(id));
            toDecision.addAll(log.toDecision(id));
            delivery.addAll(log.delivery(id));
        });
        say(String.format(
                "(a) %d database upgrades one at a time: %d hops, p50 %d ms, p99 %d ms, max %d ms"
                        + " (of which record to decision: p50 %d ms, p99 %d ms); a plain consumer beside the services"
                        + " had each record p50 %d ms, p99 %d ms after it was stamped",
                count,
                hops.size(),
                percentile(hops, 50),
                percentile(hops, 99),
                percentile(hops, 100),
                percentile(toDecision, 50),
                percentile(toDecision, 99),
                percentile(delivery, 50),
                percentile(delivery, 99)));
    }

    /** (b) N upgrades on N deployments, all started at once. */
    private void allAtOnce(int count) throws Exception {
        say("(b) registering " + count + " deployments...");
        List<String> names = parallel(count, i -> register());
        Rss rss = new Rss(stack);
        Commits commits = new Commits(stack);
        long first = System.currentTimeMillis();
        List<String> ids = parallel(count, i -> start(names.get(i)));
        double startedIn = (System.currentTimeMillis() - first) / 1000.0;
        int ended = awaitEnd(ids, Duration.ofSeconds(Math.max(120, count / 2)));
        long last = ids.stream()
                .map(log::endOf)
                .filter(t -> t != null)
                .max(Long::compare)
                .orElse(first);
        double seconds = Math.max(0.001, (last - first) / 1000.0);
        List<Long> durations = new ArrayList<>();
        List<Long> hops = new ArrayList<>();
        for (String id : ids) {
            Long end = log.endOf(id);
            List<EventLog.Seen> events = log.of(id);
            if (end != null && !events.isEmpty()) {
                durations.add(end - events.get(0).at());
            }
            hops.addAll(log.hops(id));
        }
        say(String.format(
                "(b) %d upgrades started at once (all requests answered within %.1f s): %d completed, %d ended"
                        + " otherwise, %d stuck;"
                        + " %.1f upgrades/s; last one ended %.1f s after the first start; one upgrade took p50 %.1f s,"
                        + " p99 %.1f s; hops p50 %d ms, p99 %d ms",
                count,
                startedIn,
                log.completedAmong(ids),
                ended - log.completedAmong(ids),
                count - ended,
                ended / seconds,
                seconds,
                percentile(durations, 50) / 1000.0,
                percentile(durations, 99) / 1000.0,
                percentile(hops, 50),
                percentile(hops, 99)));
        rss.stop();
        say("    rss (MB, highest): " + rss.highest());
        say("    cpu (ms per upgrade): " + rss.cpuPer(count));
        say("    transactions per upgrade: " + commits.per(count));
    }

    /** (c) A service killed with SIGKILL while upgrades run, and started again at once. */
    private void killAndRestart(int count, Service victim) throws Exception {
        List<String> names = parallel(count, i -> register());
        List<String> ids = parallel(count, i -> start(names.get(i)));
        // the first to end shows the others flowing: most are then between their first and last steps
        Wait.forThe("the first of the upgrades to end", Duration.ofSeconds(60))
                .every(Duration.ofMillis(5))
                .until(() -> log.endedAmong(ids) > 0);
        stack.kill(victim);
        long restarted = System.currentTimeMillis();
        stack.startService(victim);
        Owner owner = Owner.valueOf(victim.name());
        Long resumed = Wait.forThe(victim + " to publish again", Duration.ofSeconds(120))
                .every(Duration.ofMillis(5))
                .untilValue(() -> log.firstFrom(owner, restarted));
        int ended = awaitEnd(ids, Duration.ofSeconds(Math.max(120, count)));
        say(String.format(
                "(c) %s killed with SIGKILL while %d upgrades ran, started again at once: its steps resumed %.1f s"
                        + " after the restart began (JVM start included); %d completed, %d ended otherwise, %d stuck",
                victim.name().toLowerCase(),
                count,
                (resumed - restarted) / 1000.0,
                log.completedAmong(ids),
                ended - log.completedAmong(ids),
                count - ended));
    }

    private String register() throws Exception {
        String name = "bench-" + deployments.incrementAndGet();
        RegisterDeployment body = new RegisterDeployment(
                name, sample.servers(), sample.firewallRules(), sample.inputs(), sample.arrays());
        HttpResponse<String> r = Main.post(stack.url(Service.CLOUD) + "/deployments", Json.write(body));
        if (r.statusCode() != 201) {
            throw new IllegalStateException("registering " + name + ": " + r.body());
        }
        return name;
    }

    private String start(String deployment) throws Exception {
        ServerConfig change = new ServerConfig(null, null, null, null, null, "large", null, null, null, null);
        CreateUpgrade request = new CreateUpgrade(
                deployment, UpgradeKind.DATABASE, change, null, null, null, null, null, null, null, false);
        HttpResponse<String> r = Main.post(stack.url(Service.PLANNER) + "/upgrades", Json.write(request));
        if (r.statusCode() != 201) {
            throw new IllegalStateException("upgrading " + deployment + ": " + r.body());
        }
        return Json.mapper().readTree(r.body()).get("id").asText();
    }

    /** Waits until the planner announced the end of every upgrade, or the deadline; returns how many ended. */
    private int awaitEnd(List<String> ids, Duration timeout) throws InterruptedException {
        try {
            Wait.forThe(ids.size() + " upgrade(s) to end", timeout)
                    .every(Duration.ofMillis(10))
                    .until(() -> log.endedAmong(ids) == ids.size());
        } catch (Wait.Unfinished stuck) {
            // counted as stuck
        }
        return log.endedAmong(ids);
    }

    /** Runs {@code task} for 0..count-1 on 16 threads; results in order. */
    private static List<String> parallel(int count, Task task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                futures.add(pool.submit(() -> task.run(n)));
            }
            List<String> results = new ArrayList<>();
            for (Future<String> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdown();
        }
    }

    @FunctionalInterface
    private interface Task {
        String run(int i) throws Exception;
    }

    static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static int option(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    /** Transactions each service committed in its own database, from PostgreSQL's statistics. */
    private static final class Commits {
        private final Stack stack;
        private final Map<Service, Long> before = new EnumMap<>(Service.class);

        Commits(Stack stack) throws Exception {
            this.stack = stack;
            for (Service s : Service.values()) {
                before.put(s, commits(s));
            }
        }

        String per(int upgrades) throws Exception {
            StringBuilder out = new StringBuilder();
            for (Service s : Service.values()) {
                // the statistics collector lags a little; what it misses is under one transaction per upgrade
                long made = commits(s) - before.get(s);
                out.append(s.name().toLowerCase())
                        .append(' ')
                        .append(made / Math.max(1, upgrades))
                        .append("  ");
            }
            return out.toString().trim();
        }

        private long commits(Service s) throws Exception {
            try (var c = java.sql.DriverManager.getConnection(stack.jdbcUrl(s));
                    var r = c.createStatement()
                            .executeQuery(
                                    "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /**
     * The highest resident memory of each service process, sampled every 200 ms while a run lasts, and the CPU time
     * each used over the run (user and system, from /proc).
     */
    private static final class Rss {
        private final Map<Service, Long> highest = new ConcurrentHashMap<>();
        private final Map<Service, Long> cpuAtStart = new EnumMap<>(Service.class);
        private final Map<Service, Long> cpuAtEnd = new EnumMap<>(Service.class);
        private long launcherAtStart;
        private long postgresAtStart;
        private long launcherUsed;
        private long postgresUsed;
        private final Stack stack;
        private final Thread sampler;
        private volatile boolean running = true;

        Rss(Stack stack) {
            this.stack = stack;
            for (Service s : Service.values()) {
                cpuAtStart.put(s, cpuMillis(stack.pid(s)));
            }
            launcherAtStart = cpuMillis(ProcessHandle.current().pid());
            postgresAtStart = postgresMillis();
            sampler = new Thread(() -> {
                while (running) {
                    for (Service s : Service.values()) {
                        highest.merge(s, kilobytes(stack.pid(s)), Math::max);
                    }
                    try {
                        Wait.delay(Duration.ofMillis(200));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
        }

        void stop() throws InterruptedException {
            running = false;
            sampler.join();
            for (Service s : Service.values()) {
                cpuAtEnd.put(s, cpuMillis(stack.pid(s)));
            }
            launcherUsed = cpuMillis(ProcessHandle.current().pid()) - launcherAtStart;
            postgresUsed = postgresMillis() - postgresAtStart;
        }

        String cpuPer(int upgrades) {
            int n = Math.max(1, upgrades);
            StringBuilder out = new StringBuilder();
            for (Service s : Service.values()) {
                long used = cpuAtEnd.get(s) - cpuAtStart.get(s);
                out.append(s.name().toLowerCase()).append(' ').append(used / n).append("  ");
            }
            out.append("kafka+bench ").append(launcherUsed / n).append("  ");
            out.append("postgresql ").append(postgresUsed / n);
            return out.toString();
        }

        /** The CPU time of every PostgreSQL process of this machine: the embedded server's, while the bench runs. */
        private static long postgresMillis() {
            return ProcessHandle.allProcesses()
                    .filter(p ->
                            p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                    .mapToLong(p -> cpuMillis(p.pid()))
                    .sum();
        }

        /** User and system time of a process, from the 14th and 15th fields of /proc/PID/stat (in clock ticks). */
        private static long cpuMillis(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
            } catch (Exception gone) {
                return 0;
            }
        }

        String highest() {
            StringBuilder out = new StringBuilder();
            highest.forEach((s, kb) -> out.append(s.name().toLowerCase())
                    .append(' ')
                    .append(kb / 1024)
                    .append("  "));
            return out.toString().trim();
        }

        private static long kilobytes(long pid) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (Exception gone) {
                // the process ended or restarts
            }
            return 0;
        }
    }
}
