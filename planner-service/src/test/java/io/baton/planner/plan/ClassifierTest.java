package io.baton.planner.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.contracts.Classification;
import io.baton.contracts.ServerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierTest {

    static final ServerConfig CURRENT = new ServerConfig(
            "PostgreSQL Database Manager",
            14,
            "aws",
            "eu-west-1",
            "eu-west-1b",
            "m5.large",
            List.of("db", "ops"),
            "ops-key",
            "ami-123",
            "postgresql");

    static ServerConfig change() {
        return new ServerConfig(null, null, null, null, null, null, null, null, null, null);
    }

    static ServerConfig with(String field, Object value) {
        ServerConfig c = change();
        return new ServerConfig(
                field.equals("serverTemplate") ? (String) value : c.serverTemplate(),
                field.equals("templateRevision") ? (Integer) value : c.templateRevision(),
                field.equals("cloud") ? (String) value : c.cloud(),
                field.equals("region") ? (String) value : c.region(),
                field.equals("zone") ? (String) value : c.zone(),
                field.equals("instanceSize") ? (String) value : c.instanceSize(),
                field.equals("securityGroups") ? castList(value) : c.securityGroups(),
                field.equals("sshKey") ? (String) value : c.sshKey(),
                field.equals("image") ? (String) value : c.image(),
                null);
    }

    @SuppressWarnings("unchecked")
    static List<String> castList(Object value) {
        return (List<String>) value;
    }

    @Test
    void aDifferentTemplateIsMajor() {
        Decision d = Classifier.classify(CURRENT, with("serverTemplate", "MySQL Database Manager"));
        assertThat(d.classification()).isEqualTo(Classification.MAJOR);
        assertThat(d.reason()).contains("different server template").contains("library");
    }

    @Test
    void aNewerRevisionOfTheTemplateIsMajor() {
        Decision d = Classifier.classify(CURRENT, with("templateRevision", 15));
        assertThat(d.classification()).isEqualTo(Classification.MAJOR);
        assertThat(d.reason()).contains("newer revision").contains("14 to 15");
    }

    @Test
    void anOlderRevisionIsMajorToo() {
        assertThat(Classifier.classify(CURRENT, with("templateRevision", 12)).reason())
                .contains("older revision");
    }

    @Test
    void anotherCloudOrRegionIsMajor() {
        assertThat(Classifier.classify(CURRENT, with("cloud", "gcp")).classification())
                .isEqualTo(Classification.MAJOR);
        Decision region = Classifier.classify(CURRENT, with("region", "us-east-1"));
        assertThat(region.classification()).isEqualTo(Classification.MAJOR);
        assertThat(region.reason()).contains("aws/eu-west-1 to aws/us-east-1");
    }

    @Test
    void eachCloneableFieldAloneIsMinor() {
        for (var field : List.of(
                new Object[] {"instanceSize", "m5.xlarge"},
                new Object[] {"zone", "eu-west-1c"},
                new Object[] {"securityGroups", List.of("db-v2")},
                new Object[] {"sshKey", "new-key"},
                new Object[] {"image", "ami-456"})) {
            Decision d = Classifier.classify(CURRENT, with((String) field[0], field[1]));
            assertThat(d.classification()).as((String) field[0]).isEqualTo(Classification.MINOR);
            assertThat(d.changed()).containsExactly((String) field[0]);
            assertThat(d.reason()).contains("clone the slave");
        }
    }

    @Test
    void majorWinsOverMinorWhenBothChange() {
        ServerConfig both = new ServerConfig(null, 15, null, null, null, "m5.xlarge", null, null, null, null);
        Decision d = Classifier.classify(CURRENT, both);
        assertThat(d.classification()).isEqualTo(Classification.MAJOR);
        assertThat(d.changed()).containsExactly("templateRevision", "instanceSize");
    }

    @Test
    void valuesTheServersAlreadyHaveAreNothingToDo() {
        assertThat(Classifier.classify(CURRENT, change()).nothingToDo()).isTrue();
        assertThat(Classifier.classify(CURRENT, with("instanceSize", "m5.large"))
                        .nothingToDo())
                .isTrue();
        assertThat(Classifier.classify(CURRENT, with("securityGroups", List.of("ops", "db")))
                        .nothingToDo())
                .as("same groups in another order")
                .isTrue();
        assertThat(Classifier.classify(CURRENT, with("templateRevision", 14)).nothingToDo())
                .isTrue();
    }
}
