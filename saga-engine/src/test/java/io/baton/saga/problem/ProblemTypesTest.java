package io.baton.saga.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The registry of problem types against the code that answers them and against docs/problems.md. */
class ProblemTypesTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** new ProblemException(422, "slug", ...), ProblemException.notFound("slug", ...), .conflict("slug", ...). */
    private static final Pattern USE = Pattern.compile(
            "(?:new ProblemException\\(\\s*(\\d{3}),\\s*|ProblemException\\.(notFound|conflict)\\(\\s*)\"([^\"]+)\"");

    @Test
    void everyTypeTheServicesAnswerIsDocumentedWithItsStatus() throws IOException {
        List<String> uses = new ArrayList<>();
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module : modules.map(m -> m.resolve("src/main/java"))
                    .filter(Files::isDirectory)
                    .toList()) {
                try (Stream<Path> files = Files.walk(module)) {
                    files.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
                }
            }
        }
        for (Path f : sources) {
            Matcher m = USE.matcher(Files.readString(f));
            while (m.find()) {
                String slug = m.group(3);
                int status =
                        m.group(1) != null ? Integer.parseInt(m.group(1)) : "notFound".equals(m.group(2)) ? 404 : 409;
                uses.add(slug);
                assertThat(ProblemTypes.find(slug))
                        .as("%s answers the problem type %s: add it to ProblemTypes", f, slug)
                        .hasValueSatisfying(t -> assertThat(t.status()).as(slug).isEqualTo(status));
            }
        }
        // the scan found the services' problems, not nothing
        assertThat(uses).contains("deployment-busy", "unknown-deployment", "cannot-provision", "unauthenticated");
        assertThat(ProblemTypes.all()).extracting(ProblemTypes.Type::slug).doesNotHaveDuplicates();
        assertThat(ProblemTypes.all()).allSatisfy(t -> {
            assertThat(t.meaning()).isNotBlank();
            assertThat(t.whatToDo()).isNotBlank();
            assertThat(t.type()).isEqualTo("https://baton.dev/problems/" + t.slug());
        });
    }

    @Test
    void docsListEveryType() throws IOException {
        Path doc = ROOT.resolve("docs/problems.md");
        if (Boolean.getBoolean("baton.write-docs")) {
            Files.writeString(doc, ProblemTypes.markdown());
        }
        assertThat(Files.readString(doc))
                .as("docs/problems.md is made from ProblemTypes; write it anew with -Dbaton.write-docs=true")
                .isEqualTo(ProblemTypes.markdown());
    }
}
