package io.baton.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local cloud's state on disk: one directory per server and per write path under a root that every service of
 * the stack is configured with. Processes outlive the services; a service that restarts finds them here.
 */
public final class LocalFleet {

    /** Loopback addresses handed out to servers: 127.0.10.1 and up, one per server and per write path. */
    private static final int FIRST_SUBNET = 10;

    private final Path root;
    private final Settings settings;
    private final Host host;

    /**
     * @param postgresBin the directory with initdb, pg_ctl and pg_basebackup
     * @param postgresUser the user PostgreSQL and PgBouncer run as when this process is root
     * @param mariadbUser the user MariaDB runs as when this process is root
     */
    /** @param appClasspath the demo application's class path, for application servers; null when not available */
    public record Settings(Path postgresBin, String postgresUser, String mariadbUser, String appClasspath) {

        public static Settings defaults() {
            return new Settings(Path.of("/usr/lib/postgresql/15/bin"), "postgres", "mysql", null);
        }
    }

    public LocalFleet(Path root, Settings settings) {
        this(root, settings, LocalHost.INSTANCE);
    }

    /**
     * A fleet whose servers run on {@code host}: every operation on them goes through it, while this fleet's own
     * records (servers, addresses, passwords, write paths) stay under {@code root} here.
     */
    public LocalFleet(Path root, Settings settings, Host host) {
        this.root = root.toAbsolutePath().normalize();
        this.settings = settings;
        this.host = host;
    }

    /** The machine the servers run on, as the services reach it. */
    public Host host() {
        return host;
    }

    public Path root() {
        return root;
    }

    public Settings settings() {
        return settings;
    }

    /** Creates the root, open for the unprivileged users the servers run as; says so when they cannot reach it. */
    public void prepare() throws IOException {
        for (String dir : List.of("instances", "hosts", "backups", "write-paths")) {
            Files.createDirectories(root.resolve(dir));
        }
        for (Path p = root; p != null; p = p.getParent()) {
            if (p.startsWith(root)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            } else if (!Files.getPosixFilePermissions(p)
                    .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IOException("the local cloud's root " + root + " lies under " + p
                        + ", which the database servers' users cannot enter; choose a root under /tmp or /var/tmp"
                        + " (baton.local.root)");
            }
        }
        for (Path p : List.of(root.resolve("instances"), root.resolve("backups"), root.resolve("write-paths"))) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** The deployments' passwords. */
    public Secrets secrets() {
        return new Secrets(root);
    }

    public DatabaseServers servers(String engine) {
        return Engines.MARIADB.equals(Engines.of(engine)) ? new MariadbServers(this) : new PostgresServers(this);
    }

    public DatabaseServers servers(Instance instance) {
        return servers(instance.engine());
    }

    /** Makes a new server's directory on a free loopback address; an existing one with this id is returned as is. */
    public synchronized Instance create(String id, String name, String deployment, String engine) throws IOException {
        Optional<Instance> existing = find(id);
        if (existing.isPresent()) {
            return existing.get();
        }
        String e = Engines.APP.equals(engine) || Engines.HAPROXY.equals(engine) ? engine : Engines.of(engine);
        int port = Engines.port(e);
        Path dir = root.resolve("instances").resolve(id);
        Files.createDirectories(dir);
        Instance instance = new Instance(id, name, deployment, e, allocateHost(port), port, dir, null, null);
        instance.save();
        return instance;
    }

    public Optional<Instance> find(String id) {
        Path dir = root.resolve("instances").resolve(id);
        if (!Files.exists(dir.resolve(Instance.FILE))) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instance.load(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Instance> byAddress(String address) {
        return all().stream().filter(i -> i.address().equals(address)).findFirst();
    }

    public List<Instance> all() {
        Path dir = root.resolve("instances");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Instance> found = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(dir)) {
            for (Path d : dirs.sorted().toList()) {
                if (Files.exists(d.resolve(Instance.FILE))) {
                    found.add(Instance.load(d));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    public AppServers appServers() {
        return new AppServers(this);
    }

    public Haproxy haproxy() {
        return new Haproxy(this);
    }

    /** A server of a deployment by its name. */
    public Optional<Instance> named(String deployment, String name) {
        return all().stream()
                .filter(i -> deployment.equals(i.deployment()) && name.equals(i.name()))
                .findFirst();
    }

    /** The running servers that replicate from {@code address}. */
    public List<Instance> replicasOf(String address) {
        return all().stream()
                .filter(i -> address.equals(i.upstream()) && running(i))
                .toList();
    }

    public Instance update(Instance instance) throws IOException {
        instance.save();
        return instance;
    }

    /** Stops a server, removes its data and frees its address. Nothing happens for one that is gone already. */
    public synchronized void destroy(String id) throws IOException {
        Optional<Instance> found = find(id);
        if (found.isEmpty()) {
            return;
        }
        Instance instance = found.get();
        stop(instance);
        host.deleteTree(instance.dir());
        Files.deleteIfExists(root.resolve("hosts").resolve(instance.host()));
    }

    public Path backup(String snapshotId) {
        return root.resolve("backups").resolve(snapshotId);
    }

    /** The write path of a deployment, if one was made. */
    public Optional<WritePath> writePath(String deployment) {
        Path dir = root.resolve("write-paths").resolve(deployment);
        if (!Files.exists(dir.resolve(WritePath.FILE))) {
            return Optional.empty();
        }
        try {
            return Optional.of(WritePath.load(this, dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes the write path of a deployment, leading to {@code master}: a PgBouncer on its own address for
     * PostgreSQL; for MariaDB, the master's address as published by Baton (no proxy: clients look it up).
     */
    public synchronized WritePath createWritePath(String deployment, Instance master, String database)
            throws IOException {
        Optional<WritePath> existing = writePath(deployment);
        if (existing.isPresent()) {
            return existing.get();
        }
        Path dir = root.resolve("write-paths").resolve(deployment);
        Files.createDirectories(dir);
        WritePath path = Engines.POSTGRESQL.equals(master.engine())
                ? new WritePath(this, deployment, master.engine(), allocateHost(PgBouncer.PORT), PgBouncer.PORT, dir)
                : new WritePath(this, deployment, master.engine(), master.host(), master.port(), dir);
        path.create(master.address(), database);
        return path;
    }

    public synchronized void destroyWritePath(String deployment) throws IOException {
        Optional<WritePath> path = writePath(deployment);
        if (path.isPresent()) {
            path.get().destroy();
            if (Engines.POSTGRESQL.equals(path.get().engine())) {
                Files.deleteIfExists(root.resolve("hosts").resolve(path.get().host()));
            }
            host.deleteTree(path.get().dir());
        }
    }

    /** Stops every process of this root, for a stack that shuts down without keeping its state. */
    public void stopAll() {
        Path paths = root.resolve("write-paths");
        if (Files.isDirectory(paths)) {
            try (Stream<Path> dirs = Files.list(paths)) {
                for (Path d : dirs.toList()) {
                    try {
                        destroyWritePath(d.getFileName().toString());
                    } catch (IOException | RuntimeException ignored) {
                        // best effort: the next one may still stop
                    }
                }
            } catch (IOException ignored) {
                // nothing to stop
            }
        }
        for (Instance i : all()) {
            try {
                stop(i);
            } catch (IOException | RuntimeException ignored) {
                // best effort: the next one may still stop
            }
        }
    }

    public boolean running(Instance i) {
        return switch (i.engine()) {
            case Engines.APP -> appServers().running(i);
            case Engines.HAPROXY -> haproxy().running(i);
            default -> servers(i).running(i);
        };
    }

    /** Stops a server's process at once (a database server also gives up its replication slot upstream). */
    private void stop(Instance i) throws IOException {
        switch (i.engine()) {
            case Engines.APP -> appServers().destroy(i);
            case Engines.HAPROXY -> haproxy().destroy(i);
            default -> servers(i).destroy(i);
        }
    }

    private String allocateHost(int port) throws IOException {
        Path hosts = root.resolve("hosts");
        Files.createDirectories(hosts);
        for (int a = FIRST_SUBNET; a < 255; a++) {
            for (int b = 1; b < 255; b++) {
                String host = "127.0." + a + "." + b;
                if (Files.exists(hosts.resolve(host)) || !free(host, port)) {
                    continue;
                }
                try {
                    Files.createFile(hosts.resolve(host));
                    return host;
                } catch (FileAlreadyExistsException taken) {
                    // another launch took it a moment ago
                }
            }
        }
        throw new IOException("no free loopback address left for port " + port);
    }

    private static boolean free(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
