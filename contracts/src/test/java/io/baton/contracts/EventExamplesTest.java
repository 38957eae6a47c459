package io.baton.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.File;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** Every event type has an example that the schema accepts, that the records read, and that says its own type. */
class EventExamplesTest {

    static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(EventExamplesTest.class.getResourceAsStream("/events/saga-event.schema.json"));

    static JsonNode example(String type) throws Exception {
        try (InputStream in = EventExamplesTest.class.getResourceAsStream("/events/examples/" + type + ".json")) {
            assertThat(in).as("an example for " + type).isNotNull();
            return Json.mapper().readTree(in);
        }
    }

    @Test
    void eachTypeHasAValidExampleThatNamesItsOwnType() throws Exception {
        for (String type : EventTypes.all()) {
            JsonNode json = example(type);
            assertThat(SCHEMA.validate(json)).as(type).isEmpty();
            SagaEvent event = Json.read(json.toString(), SagaEvent.class);
            Owner publisher = Owner.valueOf(type.split("\\.")[1].toUpperCase());
            assertThat(event.type(publisher)).isEqualTo(type);
            if (event.step() >= 0) {
                assertThat(event.slip().step(event.step()).owner())
                        .as("the service that publishes " + type + " owns the step it is about")
                        .isEqualTo(publisher);
            }
            if (event.phase() == Phase.STEP_COMPLETED) {
                StepName step = event.slip().step(event.step()).name();
                assertThat(event.slip().facts(step.facts()))
                        .as(type + " carries the facts of " + step)
                        .isNotNull();
            }
            assertThat(Json.mapper().readTree(Json.write(event)))
                    .as("a lossless round trip")
                    .isEqualTo(json);
        }
    }

    @Test
    void thereIsNoExampleOfATypeBatonDoesNotPublish() {
        File dir = new File(Objects.requireNonNull(getClass().getResource("/events/examples"))
                .getFile());
        List<String> files = Arrays.stream(Objects.requireNonNull(dir.list()))
                .map(name -> name.replace(".json", ""))
                .toList();
        assertThat(files).containsExactlyInAnyOrderElementsOf(EventTypes.all());
    }

    @Test
    void theSchemaRefusesAnEventWithoutItsSagaAndConsumersIgnoreNewFields() throws Exception {
        ObjectNode broken = (ObjectNode) example(EventTypes.UPGRADE_REQUESTED);
        broken.remove("slip");
        assertThat(SCHEMA.validate(broken)).isNotEmpty();

        ObjectNode future = (ObjectNode) example(EventTypes.UPGRADE_REQUESTED);
        future.put("aFieldFromVersionTwo", "ignored");
        assertThat(Json.read(future.toString(), SagaEvent.class).upgradeId())
                .isEqualTo("7d0f3c52-8f0e-4a7e-9a44-3b1c2f6e9d10");
    }

    @Test
    void aRollbackUndoesTheNewestCompletedStepWithAnUndoFirst() throws Exception {
        SagaEvent failed = Json.read(example("baton.cloud.step-failed.v1").toString(), SagaEvent.class);
        assertThat(failed.slip().nextToCompensate().orElseThrow().name()).isEqualTo(StepName.LAUNCH_SLAVE);
        SagaEvent done = Json.read(example(EventTypes.UPGRADE_ROLLED_BACK).toString(), SagaEvent.class);
        assertThat(done.slip().nextToCompensate()).isEmpty();
    }
}
