import { Allow } from '../../src/auth/access.decorators';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { IsInt, IsString, MaxLength, Min } from 'class-validator';

class ProbeRequest {
  @IsString()
  @MaxLength(50)
  name!: string;

  @IsInt()
  @Min(0)
  count!: number;
}

/** A write-shaped route that exists only in tests, to prove the global pipe, filter and body limit. */
@Allow('pipeline', 'data-scientist', 'admin')
@ApiExcludeController() // not part of the API the service describes
@Controller('test-probe')
class ProbeHttpController {
  @Post()
  @HttpCode(202)
  accept(@Body() body: ProbeRequest): { accepted: ProbeRequest } {
    return { accepted: body };
  }
}

@Module({ controllers: [ProbeHttpController] })
export class ProbeModule {}
