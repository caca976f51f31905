package io.socialcrm.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.socialcrm.serde.PlainJson;
import io.socialcrm.stack.FreePorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The marketer's console in a real browser (headless Chromium driven by Selenium) against a running
 * demo on the embedded stack, with a token set. Skipped, saying why, when Debian's {@code chromium}
 * and {@code chromium-driver} are not installed. Every test saves a screenshot under
 * {@code target/console-screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String TOKEN = "console-it-token";
    private static final Path SHOTS = Path.of("target", "console-screenshots");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private MainTest.Running demo;
    private String base;
    private WebDriver browser;

    @BeforeAll
    void startTheDemoAndTheBrowser() throws Exception {
        Assumptions.assumeTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "the console's browser tests need Chromium: apt-get install chromium chromium-driver (as root)");
        Files.createDirectories(SHOTS);
        int port = FreePorts.next();
        base = "http://127.0.0.1:" + port;
        // longer than the tests need: the demo is stopped when they are done (the console must face a live demo throughout)
        demo = MainTest.start("demo", "--duration", "150s", "--customers", "500", "--rate", "60",
                "--seed", "5", "--http-port", Integer.toString(port), "-D", "http.token=" + TOKEN);
        await("the demo's API with segment changes").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    if (demo.outcome().isDone()) {
                        throw new AssertionError("the demo ended early: " + demo.outcome().get().err());
                    }
                    return get("/changes/recent?limit=5", true).path("changes").size() > 0
                            && get("/segments", false).path("segments").size() >= 10;
                });
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (demo != null) {
            boolean live = !demo.outcome().isDone();
            demo.stop(); // as Ctrl-C: the demo prints its summary and closes every part
            assertTrue(live, "the demo ended before the console's tests did: " + demo.printedSoFar());
            assertTrue(demo.outcome().isDone(), "the demo stopped within a minute: " + demo.printedSoFar());
            MainTest.Outcome outcome = demo.outcome().get();
            assertEquals(0, outcome.code(), outcome.err());
            assertTrue(outcome.out().startsWith("The marketer's console will be at " + base + "/"), outcome.out());
            assertTrue(outcome.out().contains("Demo finished:"), outcome.out());
            // nothing of it goes on beside the tests after this one (its Kafka Streams threads once did, for minutes)
            await("the demo's stream threads ended").atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet()
                    .stream().noneMatch(t -> t.isAlive() && t.getName().startsWith("socialcrm-demo-")));
        }
    }

    @Test
    @Order(1)
    void withoutTheTokenPersonalDataIsRefusedAndThePageAsksForIt() throws Exception {
        for (String path : List.of("/influencers/top", "/customers/c1", "/customers/c1/explain", "/changes/recent", "/segments/x/members")) {
            assertEquals(401, status(path, null), path);
        }
        assertEquals(401, status("/changes/recent", "Bearer wrong"));
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        // a cross-site publish is refused even before the token is looked at
        HttpResponse<String> crossSite = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/segments"))
                .header("Origin", "http://evil.example").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"x\",\"enterWhen\":\"true\",\"version\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, crossSite.statusCode(), crossSite.body());

        browser.get(base + "/#/influencers");
        WebElement dialog = waitFor(By.id("sign-in"));
        await().atMost(Duration.ofSeconds(10)).until(() -> dialog.getDomAttribute("open") != null);
        shot("sign-in");
        browser.findElement(By.id("token")).sendKeys("not-the-token");
        browser.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElement(By.id("sign-in-error")).getText().isEmpty());
        browser.manage().logs().get(LogType.BROWSER); // the refused sign-in's 401, logged by the browser, is expected
        browser.findElement(By.id("token")).clear();
        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(By.cssSelector("#sign-in-form button[type=submit]")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> browser.findElement(By.id("sign-in")).getDomAttribute("open") == null);
        try {
            await("the influencers, once ranked").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                if (!browser.findElements(By.cssSelector("#influencers-table tbody tr")).isEmpty()) {
                    return true;
                }
                browser.navigate().refresh();
                return false;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            shot("influencers-missing");
            throw new AssertionError("no influencers shown; the page says: " + browser.findElement(By.id("main")).getText()
                    + "; the API: " + get("/influencers/top?limit=3", true), e);
        }
        assertEquals(null, ((JavascriptExecutor) browser).executeScript("return document.cookie.includes('socialcrm_session') ? 'readable' : null"),
                "the session cookie is HttpOnly");
        shot("influencers");
        assertNoConsoleErrors("sign-in and influencers");
    }

    @Test
    @Order(2)
    void theSegmentsPageShowsTheSizesTheApiGives() throws Exception {
        Map<String, Long> shown = null;
        Set<Map<String, Long>> answered = new LinkedHashSet<>();
        // Sizes move while the demo runs (sweeps every 500 ms): the page must show what the API answered at
        // some moment while it loaded, so the API is read every 20 ms meanwhile. (Comparing the page only
        // with a load during which two reads of the API agreed failed on a loaded machine: sizes changed
        // during every one of 30 loads.)
        for (int attempt = 0; attempt < 10; attempt++) {
            answered.clear();
            answered.add(sizes());
            AtomicBoolean loading = new AtomicBoolean(true);
            CompletableFuture<Void> sampler = CompletableFuture.runAsync(() -> {
                while (loading.get()) {
                    try {
                        Map<String, Long> now = sizes();
                        synchronized (answered) {
                            answered.add(now);
                        }
                        Thread.sleep(20);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            try {
                browser.get(base + "/#/segments");
                browser.navigate().refresh();
                waitFor(By.cssSelector("#segments-table tbody tr"));
                shown = new TreeMap<>();
                for (WebElement cell : browser.findElements(By.cssSelector("[data-testid^='members-']"))) {
                    shown.put(cell.getDomAttribute("data-testid").substring("members-".length()), Long.parseLong(cell.getText().replace(",", "")));
                }
            } finally {
                loading.set(false);
                sampler.join();
            }
            answered.add(sizes());
            if (answered.contains(shown)) {
                break;
            }
        }
        assertTrue(answered.contains(shown), "the page's segment sizes " + shown + " are none of the API's answers meanwhile: " + answered);
        waitFor(By.cssSelector("#size-chart canvas"));
        assertFalse(browser.findElements(By.cssSelector("#take-up tbody tr")).isEmpty(), "consent take-up per platform is shown");
        shot("segments");
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.navigate().refresh();
        waitFor(By.cssSelector("#segments-table tbody tr"));
        Number overflow = (Number) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollWidth - window.innerWidth");
        shot("segments-phone");
        browser.manage().window().setSize(new Dimension(1280, 900));
        assertTrue(overflow.intValue() <= 0, "no sideways scrolling of the page on a 390 px phone: " + overflow);
        assertNoConsoleErrors("segments");
    }

    @Test
    @Order(3)
    void aLiveChangeAppearsWithinSeconds() throws Exception {
        browser.get(base + "/#/live");
        waitFor(By.id("changes"));
        String newestBefore = newestChange();
        await("a new change on the live page").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> !newestChange().equals(newestBefore));
        WebElement first = browser.findElement(By.cssSelector("#changes li"));
        assertFalse(first.findElement(By.cssSelector(".reason")).getText().isEmpty(), "each change shows its reason");
        shot("live");
        // paused, nothing new is shown
        browser.findElement(By.id("pause")).click();
        assertEquals("true", browser.findElement(By.id("pause")).getDomAttribute("aria-pressed"));
        assertNoConsoleErrors("live changes");
    }

    @Test
    @Order(4)
    void anInvalidRuleShowsTheCompilersMessageAndPublishesNothing() throws Exception {
        browser.get(base + "/#/editor");
        waitFor(By.cssSelector("#variables dt"));
        browser.findElement(By.id("f-id")).sendKeys("console-made");
        browser.findElement(By.id("f-enterWhen")).sendKeys("influence.score >");
        browser.findElement(By.id("publish")).click();
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElement(By.id("e-enterWhen")).getText().isEmpty());
        String message = browser.findElement(By.id("e-enterWhen")).getText();
        assertTrue(message.contains("does not compile"), message);
        assertEquals("true", browser.findElement(By.id("f-enterWhen")).getDomAttribute("aria-invalid"));
        shot("editor-invalid");
        // nothing was published: the next test's first publication becomes version 1, and the only one before version 2
        assertEquals(404, status("/segments/console-made/versions", null), "nothing was published");
        assertNoConsoleErrors("editor");
    }

    @Test
    @Order(5)
    void aValidRuleIsPreviewedPublishedAsTheNextVersionAndMembershipFollows() throws Exception {
        browser.get(base + "/#/editor");
        browser.navigate().refresh(); // a fresh form: the previous test's page had the same address
        waitFor(By.cssSelector("#variables dt"));
        browser.findElement(By.id("f-id")).sendKeys("console-made");
        browser.findElement(By.id("f-description")).sendKeys("made in the console's test");
        browser.findElement(By.id("f-enterWhen")).sendKeys("accounts >= 1");
        browser.findElement(By.id("preview")).click();
        WebElement outcome = waitFor(By.cssSelector("#editor-result #preview-count, #editor-result .error"));
        WebElement count = browser.findElement(By.id("editor-result"));
        assertEquals("preview-count", outcome.getDomAttribute("id"), count.getText());
        count = outcome;
        assertTrue(count.getText().matches("[\\d,]+ of [\\d,]+ customers would be members now\\."), count.getText());
        long wouldBe = Long.parseLong(count.getText().split(" ")[0].replace(",", ""));
        assertTrue(wouldBe > 0, count.getText());
        shot("editor-preview");
        browser.findElement(By.id("publish")).click();
        assertTrue(waitFor(By.id("published")).getText().contains("console-made version 1"));
        await("members of the published segment").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> sizes().getOrDefault("console-made", 0L) > 0);

        // the next version, from the same page: version 2, in force; the segment's versions are listed
        browser.get(base + "/#/editor/console-made");
        browser.navigate().refresh();
        await().atMost(Duration.ofSeconds(10)).until(() -> "accounts >= 1".equals(browser.findElement(By.id("f-enterWhen")).getDomProperty("value")));
        browser.findElement(By.id("f-enterWhen")).clear();
        browser.findElement(By.id("f-enterWhen")).sendKeys("accounts >= 1 && influence.score >= 0.0");
        browser.findElement(By.id("publish")).click();
        assertTrue(waitFor(By.id("published")).getText().contains("console-made version 2"));
        await("version 2 in force").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> get("/segments/console-made/versions", false).path("inForce").asInt() == 2);
        waitFor(By.cssSelector("#versions tbody tr"));
        List<Integer> versions = new ArrayList<>();
        get("/segments/console-made/versions", false).path("versions").forEach(v -> versions.add(v.path("version").asInt()));
        assertEquals(List.of(1, 2), versions, "the invalid rule never became a version");
        shot("editor-published");
        assertNoConsoleErrors("editor publishing");
    }

    @Test
    @Order(6)
    void theCustomerPageShowsWhyTheyAreInASegment() throws Exception {
        JsonNode members = get("/segments/console-made/members?limit=1", true).path("members");
        assertEquals(1, members.size(), "the published segment has members");
        String customer = members.get(0).path("customerId").asText();
        browser.get(base + "/#/customer/" + customer);
        WebElement row = waitFor(By.xpath("//table[@id='memberships']//tr[td[1][text()='console-made']]"));
        assertTrue(row.getText().contains("enterWhen (accounts >= 1"), row.getText());
        assertEquals(7, browser.findElements(By.cssSelector("#heat-map tbody tr")).size(), "the hour-of-week heat map");
        assertFalse(browser.findElements(By.cssSelector("#influence tbody tr")).isEmpty(), "the influence score's parts");
        assertTrue(browser.findElement(By.id("export")).getDomAttribute("href").endsWith("/customers/" + customer + "/export"),
                "a link to download the customer's access report");
        shot("customer");
        assertNoConsoleErrors("customer");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private WebElement waitFor(By locator) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> {
            List<WebElement> found = d.findElements(locator);
            return found.isEmpty() ? null : found.get(0);
        });
    }

    private String newestChange() {
        List<WebElement> items = browser.findElements(By.cssSelector("#changes li"));
        return items.isEmpty() ? "" : items.get(0).getText() + "#" + items.size();
    }

    private void assertNoConsoleErrors(String where) {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(entry.getMessage());
            }
        }
        assertEquals(List.of(), errors, "console errors on " + where);
    }

    private void shot(String name) throws IOException {
        File file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(file.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private Map<String, Long> sizes() throws Exception {
        Map<String, Long> sizes = new TreeMap<>();
        get("/segments", false).path("segments").forEach(s -> sizes.put(s.path("id").asText(), s.path("members").asLong()));
        return sizes;
    }

    private JsonNode get(String path, boolean withToken) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (withToken) {
            request.header("Authorization", "Bearer " + TOKEN);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return PlainJson.MAPPER.readTree(response.body());
    }

    private int status(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
