package io.baton.cloud.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InputsCsvTest {

    @Test
    void quotesWhatRfc4180NeedsQuotedAndReadsItBack() {
        Map<String, String> inputs = Map.of(
                "REPOSITORY_URL", "https://git.example.com/shop.git",
                "GREETING", "Hello, \"world\"",
                "MOTD", "line one\r\nline two",
                "EMPTY", "");
        String csv = InputsCsv.write(inputs);
        assertThat(csv).startsWith("name,value\r\n");
        assertThat(csv).contains("GREETING,\"Hello, \"\"world\"\"\"\r\n");
        assertThat(csv).contains("MOTD,\"line one\r\nline two\"\r\n");
        assertThat(csv.indexOf("EMPTY")).as("sorted by name").isLessThan(csv.indexOf("GREETING"));
        assertThat(InputsCsv.read(csv)).isEqualTo(inputs);
    }

    @Test
    void noInputsIsJustTheHeader() {
        assertThat(InputsCsv.write(Map.of())).isEqualTo("name,value\r\n");
        assertThat(InputsCsv.read("name,value\r\n")).isEmpty();
    }
}
