terraform {
  required_providers {
    dagster = {
      source  = "dagster-oss/dagster"
      version = "~> 0.1"
    }
  }
}

# The provider takes no configuration: it renders and checks values, it calls no API.
provider "dagster" {}
