package dev.spotrunner.runners.scaleup;

import software.amazon.awssdk.services.ec2.Ec2Client;

/** The EC2 resources a pool needs in moto: a subnet (2,000 addresses) and a launch template. */
public final class MotoWorld {
  private MotoWorld() {}

  public static String subnet(Ec2Client ec2) {
    String vpc = ec2.createVpc(b -> b.cidrBlock("10.0.0.0/16")).vpc().vpcId();
    return ec2.createSubnet(b -> b.vpcId(vpc).cidrBlock("10.0.8.0/21")).subnet().subnetId();
  }

  public static void launchTemplate(Ec2Client ec2, String name) {
    String image = ec2.describeImages(b -> b.maxResults(5)).images().get(0).imageId();
    ec2.createLaunchTemplate(b -> b.launchTemplateName(name)
        .launchTemplateData(d -> d.imageId(image)));
  }
}
