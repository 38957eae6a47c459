package io.baton.common;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Secrets on disk (signing keys, passwords, client settings): directories and files that only their owner can read,
 * from the moment they exist. A file is written to a 0600 file beside it and moved into place, so that no reader
 * ever sees it half written or open to others. On a file system without POSIX permissions its own access control
 * applies.
 */
public final class OwnerOnly {

    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private OwnerOnly() {}

    /** Creates {@code dir} (and its parents) and makes it the owner's alone. */
    public static Path directory(Path dir) throws IOException {
        Files.createDirectories(dir);
        permit(dir, "rwx------");
        return dir;
    }

    public static void write(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(
                file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
        permit(tmp, "rw-------");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** {@code values} as a properties file, with {@code comment} on top. */
    public static void writeProperties(Path file, Map<String, ?> values, String comment) throws IOException {
        Properties properties = new Properties();
        values.forEach((k, v) -> properties.setProperty(k, String.valueOf(v)));
        StringWriter text = new StringWriter();
        properties.store(text, comment);
        write(file, text.toString());
    }

    /** A properties file as a map; empty when there is no such file. */
    public static Map<String, String> readProperties(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return values;
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        }
        properties.forEach((k, v) -> values.put((String) k, (String) v));
        return values;
    }

    private static void permit(Path path, String permissions) throws IOException {
        if (POSIX) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        }
    }
}
