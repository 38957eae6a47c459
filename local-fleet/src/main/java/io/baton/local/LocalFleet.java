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
    private final List<Machine> machines;

    /**
     * @param postgresBin the directory with initdb, pg_ctl and pg_basebackup
     * @param postgresUser the user PostgreSQL and PgBouncer run as when this process is root
     * @param mariadbUser the user MariaDB runs as when this process is root
     * @param appClasspath the demo application's class path, for application servers; null when not available
     * @param clientNetworks the IPv4 networks (CIDR) the database servers take logins from, with the deployment's
     *     passwords: where the other servers, PgBouncer, the application servers and Baton connect from
     */
    public record Settings(
            Path postgresBin,
            String postgresUser,
            String mariadbUser,
            String appClasspath,
            List<String> clientNetworks) {

        public Settings {
            clientNetworks = List.copyOf(clientNetworks);
            clientNetworks.forEach(n -> ConfigValues.network("client network", n));
        }

        public Settings(Path postgresBin, String postgresUser, String mariadbUser, String appClasspath) {
            this(postgresBin, postgresUser, mariadbUser, appClasspath, List.of(LOOPBACK));
        }

        public static Settings defaults() {
            return new Settings(Path.of("/usr/lib/postgresql/15/bin"), "postgres", "mysql", null);
        }
    }

    /** Where the one-machine local cloud's servers and clients all are. */
    public static final String LOOPBACK = "127.0.0.0/8";

    public LocalFleet(Path root, Settings settings) {
        this(root, settings, LocalHost.INSTANCE);
    }

    /**
     * A fleet whose servers run on {@code host}: every operation on them goes through it, while this fleet's own
     * records (servers, addresses, passwords, write paths) stay under {@code root} here.
     */
    public LocalFleet(Path root, Settings settings, Host host) {
        this(root, settings, host, List.of());
    }

    /**
     * A fleet of separate machines: each new server (and PgBouncer) is placed on one of {@code machines} where its
     * engine's port is free, listens on the machine's address and keeps its files there; every operation on it goes
     * to that machine. Servers made before keep the host they were made on ({@code host}).
     */
    public LocalFleet(Path root, Settings settings, Host host, List<Machine> machines) {
        this.root = root.toAbsolutePath().normalize();
        this.settings = settings;
        this.host = host;
        this.machines = List.copyOf(machines);
    }

    /** The host of the servers that have no machine of their own, as the services reach it. */
    public Host host() {
        return host;
    }

    /** The machines new servers are placed on; empty when they run on {@link #host()}. */
    public List<Machine> machines() {
        return machines;
    }

    /** The machine a server runs on, as the services reach it. */
    public Host hostOf(Instance server) {
        return hostOf(server.machine(), server.name());
    }

    /** The machine a write path's PgBouncer runs on. */
    public Host hostOf(WritePath path) {
        return hostOf(path.machine(), "the write path of " + path.deployment());
    }

    private Host hostOf(String machine, String what) {
        return machine == null ? host : machine(machine, what + " runs").host();
    }

    /** A listed machine by its SSH target; one no longer listed is refused, never looked for elsewhere. */
    private Machine machine(String target, String what) {
        return machines.stream()
                .filter(m -> m.target().equals(target))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(what + " on the machine " + target
                        + ", which baton.local.machines does not list; list it again to reach it"));
    }

    /** Where a new server listens: a free loopback address here, or a machine where its port is free. */
    private record Placement(String address, Machine machine) {

        /** The machine's SSH target; null for a place here. */
        String target() {
            return machine == null ? null : machine.target();
        }

        /** The server's directory on the machine, made there; null for a place here (its record's directory). */
        Path home(String kind, String id) throws IOException {
            if (machine == null) {
                return null;
            }
            Path home = machine.home(kind, id);
            machine.host().mkdirs(home);
            return home;
        }
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
        for (Machine m : machines) {
            // one command each (every service does this at start): made if absent and open to the servers' users;
            // its parent directories are the machine's to open
            m.host()
                    .run(
                            null,
                            30,
                            "install",
                            "-d",
                            "-m",
                            "755",
                            m.root().toString(),
                            m.root().resolve("instances").toString(),
                            m.root().resolve("backups").toString(),
                            m.root().resolve("write-paths").toString());
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
        Placement at = place(port, id);
        Instance instance = new Instance(
                id, name, deployment, e, at.address(), port, dir, null, null, at.target(), at.home("instances", id));
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
        hostOf(instance).deleteTree(instance.home());
        if (instance.machine() != null) {
            Os.deleteTree(instance.dir());
        }
        Files.deleteIfExists(
                root.resolve("hosts").resolve(marker(instance.host(), instance.port(), instance.machine())));
    }

    /**
     * A backup: its directory on the machine it was taken on (that of the server it is of), or on {@link #host()}.
     */
    public record Backup(String id, Host host, Path dir) {}

    /** Where the backup {@code snapshotId} is (or would be, were it taken on {@link #host()}). */
    public Backup backup(String snapshotId) throws IOException {
        Path machineFile = root.resolve("backups").resolve(snapshotId + ".machine");
        if (Files.exists(machineFile)) {
            Machine m = machine(Files.readString(machineFile).strip(), "the backup " + snapshotId + " is");
            return new Backup(snapshotId, m.host(), m.home("backups", snapshotId));
        }
        return new Backup(snapshotId, host, root.resolve("backups").resolve(snapshotId));
    }

    /** Where a backup of {@code source} is taken: on its machine, which is recorded here. */
    public Backup backupOf(Instance source, String snapshotId) throws IOException {
        if (source.machine() != null) {
            Path machineFile = root.resolve("backups").resolve(snapshotId + ".machine");
            Files.createDirectories(machineFile.getParent());
            Path tmp = machineFile.resolveSibling(machineFile.getFileName() + ".tmp");
            Files.writeString(tmp, source.machine() + "\n");
            Files.move(tmp, machineFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        // its directory is made by the backup itself (prepare() made the backups directory on every machine)
        return backup(snapshotId);
    }

    /** Deletes a backup, wherever it is. */
    public void deleteBackup(String snapshotId) throws IOException {
        Backup b = backup(snapshotId);
        b.host().deleteTree(b.dir());
        Files.deleteIfExists(root.resolve("backups").resolve(snapshotId + ".machine"));
    }

    /**
     * A complete backup directory ({@code dir} on {@code from}) where {@code server} can read it: the directory itself
     * when it is on the server's machine, else a whole copy in the server's directory named {@code name}, made once.
     */
    public Path bring(Host from, Path dir, Instance server, String name) throws IOException {
        Host to = hostOf(server);
        if (to == from) {
            return dir;
        }
        Path copy = server.home().resolve(name);
        if (!to.exists(copy.resolve(DatabaseServers.COMPLETE))) {
            Host.copyTree(from, dir, to, copy, 3600);
        }
        return copy;
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
        WritePath path;
        if (Engines.POSTGRESQL.equals(master.engine())) {
            Placement at = place(PgBouncer.PORT, "write-path-" + deployment);
            path = new WritePath(
                    this,
                    deployment,
                    master.engine(),
                    at.address(),
                    PgBouncer.PORT,
                    dir,
                    at.target(),
                    at.home("write-paths", deployment));
        } else {
            path = new WritePath(this, deployment, master.engine(), master.host(), master.port(), dir, null, null);
        }
        path.create(master.address(), database);
        return path;
    }

    public synchronized void destroyWritePath(String deployment) throws IOException {
        Optional<WritePath> path = writePath(deployment);
        if (path.isPresent()) {
            WritePath p = path.get();
            p.destroy();
            if (Engines.POSTGRESQL.equals(p.engine())) {
                Files.deleteIfExists(root.resolve("hosts").resolve(marker(p.host(), p.port(), p.machine())));
            }
            hostOf(p).deleteTree(p.home());
            if (p.machine() != null) {
                Os.deleteTree(p.dir());
            }
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

    /** The file that holds an address (and, on a machine, its port) for one server. */
    private static String marker(String address, int port, String machine) {
        return machine == null ? address : address + ":" + port;
    }

    /**
     * The first machine where {@code port} is not held by a server of this fleet; without machines, a free loopback
     * address. The marker that holds the place names its holder ({@code owner}), written whole before it is linked
     * into place: a launch made again after its process died between the marker and the server's record finds its
     * own place again instead of leaving it held by no one.
     */
    private Placement place(int port, String owner) throws IOException {
        if (machines.isEmpty()) {
            return new Placement(allocateHost(port), null);
        }
        Path hosts = root.resolve("hosts");
        Files.createDirectories(hosts);
        Path claim = Files.createTempFile(hosts, "claim-", ".tmp");
        try {
            Files.writeString(claim, owner);
            for (Machine m : machines) {
                Path marker = hosts.resolve(marker(m.address(), port, m.target()));
                try {
                    Files.createLink(marker, claim);
                    return new Placement(m.address(), m);
                } catch (FileAlreadyExistsException taken) {
                    if (owner.equals(Files.readString(marker))) {
                        return new Placement(m.address(), m);
                    }
                    // another server of the fleet listens there
                }
            }
        } finally {
            Files.deleteIfExists(claim);
        }
        throw new IOException("every machine of baton.local.machines has a server on port " + port + " already ("
                + machines.size() + " machines): add a machine, or remove a server that is no longer needed");
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
