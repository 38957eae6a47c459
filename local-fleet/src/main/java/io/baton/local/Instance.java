package io.baton.local;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * A server of the local fleet: a process on its own address. Baton keeps its record in {@code dir}; the server's
 * files (data, configuration, log, pid file) are under {@link #home()} on the machine it runs on.
 *
 * @param upstream host:port of the server it replicates from, null for a primary
 * @param slot the replication slot it streams through on its upstream (PostgreSQL), null when it uses none
 * @param machine the SSH target of the machine it runs on ({@code baton.local.machines}); null when it runs on the
 *     fleet's one host, which shares Baton's directory
 * @param home its directory on that machine; {@code dir} itself when it has no machine
 */
public record Instance(
        String id,
        String name,
        String deployment,
        String engine,
        String host,
        int port,
        Path dir,
        String upstream,
        String slot,
        String machine,
        Path home) {

    static final String FILE = "instance.properties";

    public String address() {
        return host + ":" + port;
    }

    /** Where its files are on its machine. */
    public Path home() {
        return home == null ? dir : home;
    }

    public Path data() {
        return home().resolve("data");
    }

    public Path log() {
        return home().resolve("server.log");
    }

    /** The passwords of the fleet this server is part of: its directory is {@code <root>/instances/<id>}. */
    public Secrets secrets() {
        return new Secrets(dir.getParent().getParent());
    }

    public Instance following(String newUpstream, String newSlot) {
        return new Instance(id, name, deployment, engine, host, port, dir, newUpstream, newSlot, machine, home);
    }

    void save() throws IOException {
        Properties p = new Properties();
        p.setProperty("id", id);
        p.setProperty("name", name);
        p.setProperty("deployment", deployment);
        p.setProperty("engine", engine);
        p.setProperty("host", host);
        p.setProperty("port", Integer.toString(port));
        if (upstream != null) {
            p.setProperty("upstream", upstream);
        }
        if (slot != null) {
            p.setProperty("slot", slot);
        }
        if (machine != null) {
            p.setProperty("machine", machine);
            p.setProperty("home", home().toString());
        }
        Path tmp = dir.resolve(FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "a server of Baton's local cloud");
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Instance load(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(FILE), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return new Instance(
                p.getProperty("id"),
                p.getProperty("name"),
                p.getProperty("deployment"),
                p.getProperty("engine"),
                p.getProperty("host"),
                Integer.parseInt(p.getProperty("port")),
                dir,
                p.getProperty("upstream"),
                p.getProperty("slot"),
                p.getProperty("machine"),
                p.getProperty("home") == null ? null : Path.of(p.getProperty("home")));
    }
}
