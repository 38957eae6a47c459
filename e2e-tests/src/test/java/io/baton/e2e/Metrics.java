package io.baton.e2e;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.regex.Pattern;

/** Reads a service's Prometheus metrics (/q/metrics, text format) as the scraper would. */
final class Metrics {

    private final String text;

    private Metrics(String text) {
        this.text = text;
    }

    /** The metrics a service exposes now. */
    static Metrics of(String serviceUrl) {
        return new Metrics(given().get(serviceUrl + "/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    }

    /**
     * The sample of {@code name} whose labels include {@code labels} (summed when several match); -1 when none does.
     */
    double value(String name, Map<String, String> labels) {
        double sum = -1;
        Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
        var m = line.matcher(text);
        while (m.find()) {
            String set = m.group(1) == null ? "" : m.group(1);
            if (labels.entrySet().stream().allMatch(l -> set.contains(l.getKey() + "=\"" + l.getValue() + "\""))) {
                sum = Math.max(sum, 0) + Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    double value(String name) {
        return value(name, Map.of());
    }

    @Override
    public String toString() {
        return text;
    }
}
