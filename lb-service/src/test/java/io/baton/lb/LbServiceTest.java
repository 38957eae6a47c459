package io.baton.lb;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.baton.contracts.Owner;
import io.baton.infra.BatonTestInfra;
import io.baton.infra.KafkaProbe;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = BatonTestInfra.class, initArgs = @ResourceArg(name = "database", value = "baton_lb"))
class LbServiceTest {

    @Test
    void isReadyAndSendsWhatIsNotASagaEventToItsDeadLetterTopic() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        try (KafkaProbe kafka = new KafkaProbe(BatonTestInfra.bootstrapServers())) {
            kafka.sendRaw(Owner.DB.topic(), "k", "{not json");
            kafka.await(records -> !records.isEmpty(), Duration.ofSeconds(30), Owner.LB.deadLetterTopic());
        }
    }
}
