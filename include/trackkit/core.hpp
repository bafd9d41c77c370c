#pragma once
// Everything in trackkit's core: errors, argument checks, devices, boxes, logging, version.
#include "trackkit/boxes.hpp"
#include "trackkit/check.hpp"
#include "trackkit/device.hpp"
#include "trackkit/error.hpp"
#include "trackkit/log.hpp"
#include "trackkit/version.hpp"
