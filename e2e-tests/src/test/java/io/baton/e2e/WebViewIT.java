package io.baton.e2e;

import static io.baton.e2e.BatonStack.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.baton.contracts.api.Roles;
import io.baton.launcher.Stack.Service;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The planner's web view in a real headless Chromium (Debian's chromium and chromium-driver): an operator signs in,
 * starts an upgrade from the page, watches it reach the approval gate and complete without reloading (the page
 * only learns of changes over its event stream), and aborts another, whose compensations show. It saves a
 * screenshot to target/web-view.png.
 */
class WebViewIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    WebDriver browser;
    WebDriverWait wait;

    @BeforeAll
    static void up() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (System.getenv("BATON_REQUIRE_REAL") != null) {
            assertThat(installed)
                    .as("chromium and chromedriver (apt-get install chromium chromium-driver), which"
                            + " BATON_REQUIRE_REAL asks for")
                    .isTrue();
        }
        assumeTrue(installed, "chromium and chromium-driver are not installed");
        BatonStack.get();
    }

    @AfterAll
    static void down() throws Exception {
        BatonStack.close();
    }

    @BeforeEach
    void open() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // as the machine's notes say: headless, and no calls to Google's services, which this network refuses
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1500,1000",
                "--user-data-dir=" + Files.createTempDirectory("baton-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(90));
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    private void signIn(String... roles) {
        browser.get(BatonStack.url(Service.PLANNER) + "/ui/");
        String bearer = BatonStack.bearer("sre-" + String.join("-", roles), roles);
        browser.findElement(By.id("token")).sendKeys(bearer.substring("Bearer ".length()));
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.textToBe(By.id("live"), "live"));
    }

    private String startFromThePage(String deployment) {
        WebElement field = browser.findElement(By.id("start-deployment"));
        field.clear();
        field.sendKeys(deployment);
        browser.findElement(By.id("start")).click();
        wait.until(ExpectedConditions.textMatches(By.id("message"), java.util.regex.Pattern.compile("^Started ")));
        return browser.findElement(By.id("message")).getText().split(" ")[1];
    }

    private String state() {
        return read(d -> d.findElement(By.id("state")).getText());
    }

    /**
     * What {@code look} reads off the page, read again if the page redrew the element meanwhile (it redraws an
     * upgrade each time one of its events arrives).
     */
    private <T> T read(java.util.function.Function<WebDriver, T> look) {
        // wrapped: a wait takes false or null for "not yet", and false is an answer here
        return wait.ignoring(StaleElementReferenceException.class)
                .until(d -> java.util.Optional.ofNullable(look.apply(d)))
                .orElse(null);
    }

    private String text(By element) {
        return read(d -> d.findElement(element).getText());
    }

    private int count(By elements) {
        return read(d -> d.findElements(elements).size());
    }

    private boolean displayed(By element) {
        return read(d -> d.findElement(element).isDisplayed());
    }

    private String outcome(String step) {
        return read(d ->
                d.findElement(By.cssSelector(".step[data-step='" + step + "']")).getAttribute("data-outcome"));
    }

    @Test
    void anOperatorStartsApprovesAndWatchesAnUpgradeComplete() throws Exception {
        register("w-web");
        signIn(Roles.OPERATOR, Roles.APPROVER);
        String id = startFromThePage("w-web");
        assertThat(text(By.id("detail-title"))).isEqualTo("database upgrade of w-web");
        // the list shows it at the top
        String top = read(d -> d.findElement(By.cssSelector("#list tbody tr")).getAttribute("data-id"));
        assertThat(top).isEqualTo(id);

        // from here the page only learns of changes over its event stream: it never polls
        wait.until(d -> state().equals("AWAITING_APPROVAL"));
        assertThat(outcome("PROMOTE")).isEqualTo("COMPLETED");
        assertThat(count(By.cssSelector(".step[data-step='PROMOTE'] .bar.action")))
                .isEqualTo(1);
        assertThat(text(By.id("proof"))).contains("nothing lost", "writes held");
        assertThat(displayed(By.id("abort"))).isTrue();

        browser.findElement(By.id("approve")).click();
        wait.until(d -> state().equals("COMPLETED"));
        List<String> outcomes = this.<List<String>>read(d -> d.findElements(By.cssSelector("#steps .step")).stream()
                .map(step -> step.getAttribute("data-outcome"))
                .toList());
        assertThat(outcomes).hasSize(11).containsOnly("COMPLETED");
        assertThat(displayed(By.id("approve"))).isFalse();
        assertThat(displayed(By.id("abort"))).isFalse();
        assertThat(text(By.id("meta"))).contains("approved by sre-operator-approver");
        assertThat(text(By.cssSelector("#list tbody tr[data-id='" + id + "'] .state")))
                .isEqualTo("COMPLETED");

        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path saved = Path.of("target", "web-view.png");
        Files.copy(shot.toPath(), saved, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(saved)).isGreaterThan(10_000);
    }

    @Test
    void abortingFromThePageRollsBackAndShowsTheCompensations() throws Exception {
        register("w-abort");
        signIn(Roles.OPERATOR);
        startFromThePage("w-abort");
        wait.until(d -> state().equals("AWAITING_APPROVAL"));
        // an operator without the approver role gets no approve button
        assertThat(displayed(By.id("approve"))).isFalse();
        browser.findElement(By.id("abort")).click();
        wait.until(d -> state().equals("ROLLED_BACK"));
        assertThat(count(By.cssSelector("#steps .bar.compensation"))).isGreaterThanOrEqualTo(5);
        assertThat(outcome("PROMOTE")).isEqualTo("COMPENSATED");
    }

    @Test
    void aViewerSeesButCannotAct() {
        signIn(Roles.VIEWER);
        assertThat(displayed(By.id("start-form"))).isFalse();
        browser.findElement(By.id("filter-deployment")).sendKeys("w-web");
        browser.findElement(By.id("apply")).click();
        wait.ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElements(By.cssSelector("#list tbody tr")).stream()
                        .allMatch(r ->
                                r.findElement(By.cssSelector("td")).getText().equals("w-web")));
        // a token that is not one is refused on the page itself
        browser.findElement(By.id("sign-out")).click();
        browser.findElement(By.id("token")).sendKeys("not-a-token");
        browser.findElement(By.id("sign-in")).click();
        assertThat(browser.findElement(By.id("message")).getText()).contains("not a bearer token");
    }
}
