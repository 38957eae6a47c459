package io.baton.cloud.fleet;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * A deployment's inputs as RFC 4180 CSV with a {@code name,value} header: the copy the runbook tells the operator to
 * keep before changing inputs ("there is no version control at the deployment level"), and what a rollback restores.
 */
public final class InputsCsv {

    private static final CSVFormat FORMAT =
            CSVFormat.RFC4180.builder().setHeader("name", "value").get();
    private static final CSVFormat READ =
            CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get();

    private InputsCsv() {}

    /** Sorted by name, so that two exports of the same inputs are the same bytes. */
    public static String write(Map<String, String> inputs) {
        StringWriter out = new StringWriter();
        try (CSVPrinter printer = new CSVPrinter(out, FORMAT)) {
            for (Map.Entry<String, String> input : new TreeMap<>(inputs).entrySet()) {
                printer.printRecord(input.getKey(), input.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static Map<String, String> read(String csv) {
        Map<String, String> inputs = new LinkedHashMap<>();
        try (CSVParser parser = CSVParser.parse(new StringReader(csv), READ)) {
            for (CSVRecord record : parser) {
                inputs.put(record.get("name"), record.get("value"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return inputs;
    }
}
