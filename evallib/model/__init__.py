"""The data model: figure catalogue, frameworks (指标体系) and where they are found, subjects (评价对象), lint."""
