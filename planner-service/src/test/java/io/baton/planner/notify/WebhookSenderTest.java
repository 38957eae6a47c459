package io.baton.planner.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebhookSenderTest {

    @Test
    void thePauseDoublesUpToItsCeiling() {
        Duration second = Duration.ofSeconds(1);
        Duration fiveMinutes = Duration.ofMinutes(5);
        assertThat(WebhookSender.pause(1, second, fiveMinutes)).isEqualTo(Duration.ofSeconds(1));
        assertThat(WebhookSender.pause(2, second, fiveMinutes)).isEqualTo(Duration.ofSeconds(2));
        assertThat(WebhookSender.pause(5, second, fiveMinutes)).isEqualTo(Duration.ofSeconds(16));
        assertThat(WebhookSender.pause(9, second, fiveMinutes)).isEqualTo(Duration.ofSeconds(256));
        assertThat(WebhookSender.pause(10, second, fiveMinutes)).isEqualTo(fiveMinutes);
        assertThat(WebhookSender.pause(400, second, fiveMinutes)).isEqualTo(fiveMinutes);
    }

    /** HMAC-SHA256 of "<timestamp>.<body>", as any receiver computes it (the value from Python's hmac module). */
    @Test
    void theSignatureIsHmacSha256OfTimestampDotBody() {
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(WebhookSender.sign("whsec-0123456789abcdef", 1_700_000_000L, body))
                .isEqualTo("d77c78ac4da074c56908b55eac30358b2a7bfc573be4c76819af5102e8dcf939");
        assertThat(WebhookSender.sign("whsec-0123456789abcdef", 1_700_000_001L, body))
                .as("the timestamp is signed too")
                .isNotEqualTo(WebhookSender.sign("whsec-0123456789abcdef", 1_700_000_000L, body));
    }

    @Test
    void logsNameTheHostOnly() {
        assertThat(WebhookSender.host("https://hooks.example.com/services/T0/B0/secret-token"))
                .isEqualTo("hooks.example.com");
        assertThat(WebhookSender.host("http://127.0.0.1:8080/x")).isEqualTo("127.0.0.1:8080");
    }

    @Test
    void instanceMetadataAndOtherNonAddressesAreNeverSentTo() {
        assertThat(WebhookSender.forbiddenAddress("169.254.169.254")).contains("link-local");
        assertThat(WebhookSender.forbiddenAddress("0.0.0.0")).contains("unspecified");
        assertThat(WebhookSender.forbiddenAddress("224.0.0.1")).contains("multicast");
        assertThat(WebhookSender.forbiddenAddress("fe80::1")).contains("link-local");
        assertThat(WebhookSender.forbiddenAddress("127.0.0.1")).isNull();
        assertThat(WebhookSender.forbiddenAddress("10.1.2.3")).isNull();
    }
}
