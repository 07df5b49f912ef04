package org.mtasts.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mtasts.MtaSts;
import org.mtasts.dns.DnsClient;
import org.mtasts.micrometer.MtaStsMetrics;
import org.mtasts.testkit.TestWorldExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot with the actuator's auto-configured {@link MeterRegistry}: an application that
 * declares {@link MtaStsMetrics} as a bean and its {@link MtaSts} bean with it as listener gets
 * the meters; Boot binds every {@code MeterBinder} bean to its registry, no registry code needed
 * (issue 17).
 */
class SpringBootMetricsTest {
  @RegisterExtension static final TestWorldExtension world = MailWorld.create();

  /** The application: two beans, no metrics code. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    MtaStsMetrics mtaStsMetrics() {
      return MtaStsMetrics.builder().build();
    }

    @Bean(destroyMethod = "close")
    MtaSts mtaSts(MtaStsMetrics metrics) {
      return metrics.monitor(MtaSts.builder()
          .listener(metrics)
          // The world's DNS server and CA; a real application leaves these out.
          .dnsClient(DnsClient.builder().server(world.dnsAddress()).build())
          .hostResolver(MailWorld.hosts(world.world()))
          .trustManager(world.trustManager())
          .allowPrivateAddresses(true)
          .build());
    }
  }

  @Test
  @DisplayName("Boot's registry gets the lookup counter and the cache gauge of the MtaSts bean")
  void bootBindsTheMeterBinderBean() {
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .properties("spring.main.banner-mode=off")
        .run()) {
      MtaSts sts = context.getBean(MtaSts.class);
      sts.resolve("good.example");
      sts.resolve("good.example");

      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertEquals(1, registry.get("mtasts.lookups")
          .tags("status", "valid", "source", "fetched").counter().count());
      assertEquals(1, registry.get("mtasts.lookups")
          .tags("status", "valid", "source", "cache").counter().count());
      assertEquals(1.0, registry.get("mtasts.cache.policies").gauge().value());
    }
  }
}
